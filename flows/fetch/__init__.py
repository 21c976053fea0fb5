"""The fetch stage: pages over HTTP, politely, concurrently, with retries, into a raw page
store; what it hands on is a `CrawlReport` whose pages are ready to parse: `PageRef`s, whose
bytes `read_body` reads back from the store.

It imports no later stage and no orchestration: how to find a page's links comes in as a
`PageLinks` object (`parsers.FeedLinks`), and how to start the page keeper's process as a
callable. The names below are its public API; its modules are the implementation.

    async with build_client(settings) as client:
        report = await Crawler(client, settings, PageStore(folder), link_finder=links).run(urls)

Names load on first use: the command line reads `MAX_PAGE_BYTES` and `FetchSettings` without
paying for httpx, which only a crawl needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flows.fetch._client import build_client
    from flows.fetch._report import CrawlReport, FetchOutcome, KnownPage
    from flows.fetch.crawler import Crawler
    from flows.fetch.guard import FetchRefused, check_url, too_large
    from flows.fetch.keeper import KeepingFailed, PageKeeper, ProcessKeeper, ThreadKeeper
    from flows.fetch.links import PageLinks
    from flows.fetch.pages import PageRef, PageTooLarge, read_body
    from flows.fetch.progress import CrawlProgress, progress_for
    from flows.fetch.settings import DEFAULT_USER_AGENT, MAX_PAGE_BYTES, FetchSettings
    from flows.fetch.store import PageStore, content_hash
    from flows.fetch.urls import hide_password, normalize_url, redact_url, reveal_password

__all__ = [
    "DEFAULT_USER_AGENT",
    "MAX_PAGE_BYTES",
    "CrawlProgress",
    "CrawlReport",
    "Crawler",
    "FetchOutcome",
    "FetchRefused",
    "FetchSettings",
    "KeepingFailed",
    "KnownPage",
    "PageKeeper",
    "PageLinks",
    "PageRef",
    "PageStore",
    "PageTooLarge",
    "ProcessKeeper",
    "ThreadKeeper",
    "build_client",
    "check_url",
    "content_hash",
    "hide_password",
    "normalize_url",
    "progress_for",
    "read_body",
    "redact_url",
    "reveal_password",
    "too_large",
]

# Where each public name lives (tests/flows/fetch/test_exported_members.py keeps this and
# `__all__` in step).
_HOMES = {
    "_client": ("build_client",),
    "_report": ("CrawlReport", "FetchOutcome", "KnownPage"),
    "crawler": ("Crawler",),
    "guard": ("FetchRefused", "check_url", "too_large"),
    "keeper": ("KeepingFailed", "PageKeeper", "ProcessKeeper", "ThreadKeeper"),
    "links": ("PageLinks",),
    "pages": ("PageRef", "PageTooLarge", "read_body"),
    "progress": ("CrawlProgress", "progress_for"),
    "settings": ("DEFAULT_USER_AGENT", "MAX_PAGE_BYTES", "FetchSettings"),
    "store": ("PageStore", "content_hash"),
    "urls": ("hide_password", "normalize_url", "redact_url", "reveal_password"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> object:
    home = _HOME_OF.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
