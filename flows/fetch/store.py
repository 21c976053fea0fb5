"""The raw page store: every fetched body, zstd-compressed and content-addressed.

Files live beside the warehouse as `<pages_dir>/ab/<sha256>.zst`; names come from the hash,
never from the URL. One level of 256 folders, as git's object store has: a second level made
almost every page create a folder, and creating one costs as much as compressing the page.
Writing is atomic (temporary file, then rename), and a body already stored is not written
again.

Pages are stored with Zstandard at level 1: storing was the crawler's largest cost per page,
and zstd compresses and decompresses faster than gzip, to smaller files (figures in
docs/performance.md, "Fetching"). Stores written with gzip (`.gz`) are still read.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import zstandard

LEVEL = 1
SUFFIX = ".zst"
OLD_SUFFIX = ".gz"  # written by reviewhouse before 0.2; read, never written


def content_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class PageStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._made: set[Path] = set()  # folders known to exist: mkdir is a syscall a page

    def __reduce__(self) -> tuple[type[PageStore], tuple[Path]]:
        return PageStore, (self.directory,)  # sent to worker processes: the folder is enough

    def path_for(self, digest: str) -> Path:
        return self.directory / digest[:2] / f"{digest}{SUFFIX}"

    def put(self, body: bytes) -> tuple[str, Path]:
        """Store `body`; returns its sha256 and where it is. Safe to call from threads."""
        digest = content_hash(body)
        path = self.path_for(digest)
        if path.exists():
            return digest, path
        if (old := path.with_suffix(OLD_SUFFIX)).exists():
            return digest, old
        if path.parent not in self._made:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(path.parent)
        # a compressor is not thread-safe, and `put` runs on several threads at once
        compressed = zstandard.ZstdCompressor(level=LEVEL).compress(body)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as raw:
                raw.write(compressed)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest, path

    def has(self, digest: str) -> bool:
        path = self.path_for(digest)
        return path.exists() or path.with_suffix(OLD_SUFFIX).exists()
