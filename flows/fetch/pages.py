"""The fetch stage's hand-off to parsing: a page ready to parse (`PageRef`: where its bytes
are and what fetching learned), and its bytes read back from the raw page store.

    page = PageRef(url, body_path=str(path), fetched_at=now, compressed=True)
    body = read_body(page, max_bytes=MAX_PAGE_BYTES)  # PageTooLarge past the cap

A page file on local disk is a `PageRef` too (`flows.pages.file_page`): uncompressed, its
modification time standing in for the fetch time.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

import zstandard

from flows.fetch.guard import too_large


@dataclass(frozen=True, slots=True)
class PageRef:
    """A page ready to parse. Small on purpose: tasks pass these, never page bodies."""

    url: str
    body_path: str
    fetched_at: datetime
    compressed: bool = False
    content_type: str | None = None
    content_hash: str | None = None
    previous_hash: str | None = None  # the version already loaded: same bytes, no parse
    file_mtime_ns: int | None = None
    file_size: int | None = None
    start_url: str | None = None  # the URL whose crawl led here (a page found by following links)


class PageTooLarge(OSError):
    """A page larger than the run's cap: refused whole, never cut short."""

    def __init__(self, size: int, max_bytes: int) -> None:
        super().__init__(too_large(size, max_bytes))
        self.max_bytes = max_bytes


def read_body(page: PageRef, max_bytes: int | None = None) -> bytes:
    """The page's bytes, decompressed from the raw store when needed (zstd, or gzip in
    stores written before). A page over `max_bytes`, stored or decompressed, raises
    `PageTooLarge`: half a page would load some of its reviews and silently lose the rest."""
    if not page.compressed:
        with open(page.body_path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if max_bytes is not None and size > max_bytes:
                raise PageTooLarge(size, max_bytes)
            # read(n) allocates all n bytes first: ask for the file's size, not the cap
            body = handle.read(size + 1)
    elif page.body_path.endswith(".gz"):
        with gzip.open(page.body_path, "rb") as handle:
            body = handle.read(-1 if max_bytes is None else max_bytes + 1)
    else:
        with (
            open(page.body_path, "rb") as handle,
            zstandard.ZstdDecompressor().stream_reader(handle) as reader,
        ):
            body = _read_up_to(reader, None if max_bytes is None else max_bytes + 1)
    if max_bytes is not None and len(body) > max_bytes:
        raise PageTooLarge(len(body), max_bytes)
    return body


def _read_up_to(reader: BinaryIO, max_bytes: int | None) -> bytes:
    if max_bytes is None:
        return reader.read()
    chunks, size = [], 0
    while size < max_bytes and (chunk := reader.read(min(max_bytes - size, 1 << 20))):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
