"""Local page files on their way to the parser: a saved page (with the `.url` address file
that may sit beside it) made a `PageRef`, and what tells one version of such a file from
another.

    page = file_page("pages/the-matrix.html")  # its `.url`, if any, gives its address

The page reference itself, and reading its bytes, are the fetch stage's (`flows.fetch`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flows.fetch import PageRef
from parsers.urls import is_web_url


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
