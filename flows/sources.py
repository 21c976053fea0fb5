"""What the user pointed reviewhouse at, resolved into web pages, page files and datasets.

A SOURCE is an `http(s)://` URL, a file, a directory (every page file under it), or
`@list.txt`: one source a line, lines starting with `#` are comments, and relative paths are
relative to the list file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

PAGE_SUFFIXES = frozenset({".html", ".htm", ".txt", ".json", ".xhtml"})
DATASET_SUFFIXES = frozenset({".csv"})


class SourceError(ValueError):
    """A source that does not exist or cannot be read: a usage error."""


@dataclass(frozen=True, slots=True)
class ResolvedSources:
    urls: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # absolute paths; a str costs no Path
    datasets: list[Path] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.urls) + len(self.files) + len(self.datasets)


def resolve_sources(sources: Iterable[str]) -> ResolvedSources:
    """Expand every SOURCE; duplicates are kept once, in first-seen order."""
    urls: dict[str, None] = {}
    files: dict[str, None] = {}
    datasets: dict[str, None] = {}
    for source in _expand(sources, base=Path.cwd(), seen_lists=set()):
        if source.startswith(("http://", "https://")):
            urls[source] = None
            continue
        is_dataset = os.path.splitext(source)[1].lower() in DATASET_SUFFIXES
        (datasets if is_dataset else files)[source] = None
    return ResolvedSources(list(urls), list(files), [Path(path) for path in datasets])


def _expand(sources: Iterable[str], base: Path, seen_lists: set[Path]) -> Iterable[str]:
    for raw in sources:
        source = raw.strip()
        if not source:
            continue
        if source.startswith(("http://", "https://")):
            yield source
            continue
        if "://" in source:
            raise SourceError(f"unsupported URL scheme in source {source!r} (http and https only)")
        if source.startswith("@"):
            list_path = (base / source[1:]).resolve()
            if list_path in seen_lists:
                raise SourceError(f"source list {list_path} includes itself")
            if not list_path.is_file():
                raise SourceError(f"source list not found: {source[1:]}")
            lines = list_path.read_text(encoding="utf-8").splitlines()
            entries = [line.strip() for line in lines if not line.strip().startswith("#")]
            yield from _expand(entries, list_path.parent, seen_lists | {list_path})
            continue
        path = (base / source).resolve()
        if path.is_dir():
            yield from _page_files(path)
        elif path.is_file():
            yield str(path)
        else:
            raise SourceError(f"source not found: {source}")


def _page_files(directory: Path) -> list[str]:
    """Every page or dataset file under a resolved `directory`, hidden folders and files
    left out, symbolic links resolved to what they point at.

    Walked with `os.scandir`, whose entries know their type: a folder of 100,000 pages
    is listed without a `stat` per file."""
    wanted = PAGE_SUFFIXES | DATASET_SUFFIXES
    found: list[tuple[str, bool]] = []  # (path, is a link)
    pending = [str(directory)]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif os.path.splitext(entry.name)[1].lower() in wanted and entry.is_file():
                    found.append((entry.path, entry.is_symlink()))
    return [os.path.realpath(path) if link else path for path, link in sorted(found)]
