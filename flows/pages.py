"""Pages on their way to the parser: where the bytes are and what fetching learned.

The hand-off between fetching and parsing: `content_hash` (what tells one version of a
page's bytes from another) is the fetch store's, given here to the parse stage.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import zstandard

from flows.fetch.guard import too_large
from flows.fetch.store import content_hash as content_hash  # re-exported: see above
from parsers.urls import is_web_url


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


@dataclass(frozen=True, slots=True)
class SavedFiles:
    """Saved page files no run has loaded, as bare paths: each is made a `PageRef` by the
    worker that parses it (`saved_page`), which reads its `stat` and `.url` on every core
    instead of the run's process doing it for all of them before parsing can start."""

    paths: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.paths)


def file_page(
    path: str | Path, previous_hash: str | None = None, version: FileVersion | None = None
) -> PageRef:
    """A local page file; its modification time stands in for the fetch time. `version`:
    the file's `file_version`, when the caller has read it already.

    A saved page may have its address beside it in `<name>.url` (one line): it then counts
    as that web page, so its movie slug and its links to other pages are read from there.
    """
    version = version or file_version(path)
    recorded = _recorded_address(_address_file(path))
    return PageRef(
        url=recorded if is_web_url(recorded) else Path(path).resolve().as_uri(),
        body_path=str(path),
        fetched_at=version.modified_at,
        previous_hash=previous_hash,
        file_mtime_ns=version.mtime_ns,
        file_size=version.size,
    )


def saved_page(path: str) -> PageRef:
    """`file_page`, for a file that may be gone since it was listed: reading it then fails,
    and is reported, in its turn."""
    try:
        return file_page(path)
    except OSError:
        return PageRef(Path(path).resolve().as_uri(), path, datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class FileVersion:
    """What tells one version of a local page from another, read with two `stat` calls."""

    size: int
    mtime_ns: int  # the later of the page's and its `.url`'s: editing either is a change
    modified_at: datetime  # the page's own modification time
    has_address: bool  # a `.url` is beside it


def file_version(path: str | Path) -> FileVersion:
    stat = os.stat(path)
    try:
        address_mtime_ns: int | None = os.stat(_address_file(path)).st_mtime_ns
    except OSError:
        address_mtime_ns = None
    return FileVersion(
        size=stat.st_size,
        mtime_ns=max(stat.st_mtime_ns, address_mtime_ns or 0),
        modified_at=datetime.fromtimestamp(stat.st_mtime, UTC),
        has_address=address_mtime_ns is not None,
    )


def _address_file(path: str | Path) -> str:
    return f"{os.path.splitext(path)[0]}.url"


def _recorded_address(path: str) -> str:
    """The one-line `.url` file beside a saved page, or "" (read with bare system calls:
    a run over a folder of saved pages reads one per page)."""
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return ""
    try:
        return os.read(handle, 8192).decode("utf-8", "replace").strip()
    finally:
        os.close(handle)


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
