"""The raw page store: every fetched body, gzip-compressed and content-addressed.

Files live beside the warehouse as `<pages_dir>/ab/<sha256>.gz`; names come from the hash,
never from the URL. One level of 256 folders, as git's object store has: a second level made
almost every page create a folder, and creating one costs as much as compressing the page.
Writing is atomic (temporary file, then rename), and a body already stored is not written
again.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from pathlib import Path


def content_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class PageStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._made: set[Path] = set()  # folders known to exist: mkdir is a syscall a page

    def path_for(self, digest: str) -> Path:
        return self.directory / digest[:2] / f"{digest}.gz"

    def put(self, body: bytes) -> tuple[str, Path]:
        """Store `body`; returns its sha256 and where it is."""
        digest = content_hash(body)
        path = self.path_for(digest)
        if path.exists():
            return digest, path
        if path.parent not in self._made:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(path.parent)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with (
                os.fdopen(handle, "wb") as raw,
                gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as compressed,
            ):
                compressed.write(body)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest, path

    def has(self, digest: str) -> bool:
        return self.path_for(digest).exists()
