"""What the user pointed reviewhouse at, resolved into web pages, page files and datasets.

A SOURCE is an `http(s)://` URL, a Rotten Tomatoes title (`rt:<slug>` for a movie,
`rt:tv/<show>/s01` for a TV season), a file, a directory (every page file under it), or
`@list.txt`: one source a line, lines starting with `#` are comments, and relative paths are
relative to the list file.

A Rotten Tomatoes title, and a movie or TV season page URL (`https://www.rottentomatoes.com/m/<slug>`),
stand for that title's reviews page, on the site at `REVIEWHOUSE_RT_BASE_URL` (a mirror, or a
local server standing in for the site).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from parsers.urls import RT_SLUG_PATTERNS

PAGE_SUFFIXES = frozenset({".html", ".htm", ".txt", ".json", ".xhtml"})
DATASET_SUFFIXES = frozenset({".csv"})

RT_BASE_URL_ENV = "REVIEWHOUSE_RT_BASE_URL"
DEFAULT_RT_BASE_URL = "https://www.rottentomatoes.com"
RT_HOSTS = frozenset({"www.rottentomatoes.com", "rottentomatoes.com"})
RT_PREFIX = "rt:"
# A title page (`/m/<slug>`, `/tv/<show>/s01`), nothing after it but a slash: the title's
# reviews live one level down. Built from the parsers' own title patterns, whole path only.
_RT_TITLE_PAGES = tuple(re.compile(f"{pattern}/?") for pattern in RT_SLUG_PATTERNS)


class SourceError(ValueError):
    """A source that does not exist or cannot be read: a usage error."""


@dataclass(frozen=True, slots=True)
class ResolvedSources:
    urls: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # absolute paths; a str costs no Path
    datasets: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line each: what, and why

    def __len__(self) -> int:
        return len(self.urls) + len(self.files) + len(self.datasets)


def resolve_sources(sources: Iterable[str]) -> ResolvedSources:
    """Expand every SOURCE; duplicates are kept once, in first-seen order.

    Links in a folder that lead nowhere (a loop of links, a dangling link, a link to a
    folder) are left out and listed in `skipped`, so the rest of the folder loads.
    """
    urls: dict[str, None] = {}
    files: dict[str, None] = {}
    datasets: dict[str, None] = {}
    skipped: list[str] = []
    for source in _expand(sources, base=Path.cwd(), seen_lists=set(), skipped=skipped):
        if source.startswith(("http://", "https://")):
            urls[source] = None
            continue
        is_dataset = os.path.splitext(source)[1].lower() in DATASET_SUFFIXES
        (datasets if is_dataset else files)[source] = None
    return ResolvedSources(list(urls), list(files), [Path(path) for path in datasets], skipped)


def rt_base_url() -> str:
    """The Rotten Tomatoes site to ask: `REVIEWHOUSE_RT_BASE_URL`, else the real one."""
    base = os.environ.get(RT_BASE_URL_ENV, "").strip() or DEFAULT_RT_BASE_URL
    if not base.startswith(("http://", "https://")) or not urlsplit(base).hostname:
        raise SourceError(f"{RT_BASE_URL_ENV} must be an http(s) URL, not {base!r}")
    return base.rstrip("/")


def rt_reviews_url(ref: str, base: str | None = None) -> str:
    """The reviews page of a Rotten Tomatoes title.

    `ref` is `rt:<slug>` or `<slug>` (a movie), `rt:tv/<show>/s01` (a TV season), or a
    title page URL on Rotten Tomatoes or on `base` (`.../m/<slug>`); any other web URL is
    already a page of its own and comes back as it is. `base` defaults to `rt_base_url()`,
    read now, so a mirror or a local server can stand in for the site. A reference that
    names no title is a `SourceError`.

    >>> rt_reviews_url("rt:the_departed", "https://rt.example")
    'https://rt.example/m/the_departed/reviews'
    >>> rt_reviews_url("rt:tv/the_bear/s01", "https://rt.example")
    'https://rt.example/tv/the_bear/s01/reviews'
    >>> rt_reviews_url("https://www.rottentomatoes.com/m/matrix/", "http://127.0.0.1:8000")
    'http://127.0.0.1:8000/m/matrix/reviews'
    """
    ref = ref.strip()
    if ref.startswith(("http://", "https://")):
        return _title_page_reviews(ref, base and base.rstrip("/")) or ref
    base = (base or rt_base_url()).rstrip("/")
    name = ref[len(RT_PREFIX) :] if ref.lower().startswith(RT_PREFIX) else ref
    path = "/" + (name if name.lower().startswith("tv/") else f"m/{name}")
    title = _title_of(path)
    if title is None or any(part in (".", "..") for part in name.split("/")):
        raise SourceError(
            f"not a Rotten Tomatoes title: {ref!r} "
            "(expected rt:<movie_slug> or rt:tv/<show>/s01, letters, digits, _ . - only)"
        )
    return f"{base}/{_title_path(title)}/reviews"


def _title_page_reviews(url: str, base: str | None) -> str | None:
    """The reviews URL for a title page URL on Rotten Tomatoes or on the site at `base`
    (default: `rt_base_url()`), else None."""
    parts = urlsplit(url)
    title = _title_of(parts.path)
    if title is None:
        return None
    base = base or rt_base_url()
    host = (parts.hostname or "").lower()
    if host not in RT_HOSTS and parts.netloc.lower() != urlsplit(base).netloc.lower():
        return None
    return f"{base}/{_title_path(title)}/reviews"


def _title_of(path: str) -> str | None:
    """The title a whole path names (`/m/<slug>`, `/tv/<show>/sNN`, a slash after), lower-cased."""
    for pattern in _RT_TITLE_PAGES:
        if match := pattern.fullmatch(path):
            return match.group(1).lower()
    return None


def _title_path(title: str) -> str:
    return title if title.startswith("tv/") else f"m/{title}"


def _expand(
    sources: Iterable[str], base: Path, seen_lists: set[Path], skipped: list[str]
) -> Iterable[str]:
    for raw in sources:
        source = raw.strip()
        if not source:
            continue
        if source.startswith(("http://", "https://")):
            yield _title_page_reviews(source, None) or source
            continue
        if source.lower().startswith(RT_PREFIX):
            yield rt_reviews_url(source)
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
            yield from _expand(entries, list_path.parent, seen_lists | {list_path}, skipped)
            continue
        try:
            path = (base / source).resolve()
        except (RuntimeError, OSError):  # Python 3.11 says a loop with RuntimeError
            raise SourceError(f"source is a loop of symbolic links: {source}") from None
        if path.is_dir():
            yield from _page_files(path, skipped)
        elif path.is_file():
            yield str(path)
        else:
            raise SourceError(f"source not found: {source}")


def _page_files(directory: Path, skipped: list[str]) -> list[str]:
    """Every page or dataset file under a resolved `directory`, hidden folders and files
    left out, links to files resolved to what they point at. Links to folders are not
    followed (a folder could hold a link to itself); they, and links that lead nowhere,
    are added to `skipped`.

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
                if entry.is_symlink():
                    is_page = os.path.splitext(entry.name)[1].lower() in wanted
                    leads_to, problem = _follow_link(entry.path)
                    if leads_to == "file" and is_page:
                        found.append((entry.path, True))
                    elif problem and (is_page or leads_to != "nothing"):
                        skipped.append(f"skipped {entry.path}: {problem}")
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif os.path.splitext(entry.name)[1].lower() in wanted and entry.is_file(
                    follow_symlinks=False
                ):
                    found.append((entry.path, False))
    return [os.path.realpath(path) if link else path for path, link in sorted(found)]


def _follow_link(path: str) -> tuple[str, str]:
    """Where a symbolic link leads (`file`, `folder`, `loop`, `nothing`, `other`), and why
    that is not read when it is not a file ("" for a device or a pipe: not a page, as a
    file with another suffix is not)."""
    try:
        target = os.stat(path)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "loop", "a loop of symbolic links"
        if error.errno == errno.ENOENT:
            return "nothing", "a symbolic link to nothing"
        return "other", f"a symbolic link that cannot be followed ({error.strerror})"
    if stat.S_ISDIR(target.st_mode):
        return "folder", "a symbolic link to a folder (links to folders are not followed)"
    return ("file", "") if stat.S_ISREG(target.st_mode) else ("other", "")
