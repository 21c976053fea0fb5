"""Running the crawler for a test: against servers on 127.0.0.1, storing under `tmp_path`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from pathlib import Path

from flows.fetch import (
    Crawler,
    CrawlReport,
    FetchOutcome,
    FetchSettings,
    KnownPage,
    PageLinks,
    PageStore,
    ProcessKeeper,
    build_client,
)
from parsers import FeedLinks

LOCAL = frozenset({"127.0.0.1", "localhost"})
LINKS = FeedLinks()


def settings(**overrides: object) -> FetchSettings:
    """Unthrottled, local hosts allowed, short backoffs, robots.txt off unless asked."""
    base = {"allow_hosts": LOCAL, "backoff_base_s": 0.01, "respect_robots": False}
    return FetchSettings.unthrottled(**{**base, **overrides})


def crawl(
    urls: list[str],
    tmp_path: Path,
    known: Mapping[str, KnownPage] | None = None,
    keep_in_a_process: bool = False,
    store: PageStore | None = None,
    link_finder: PageLinks | None = LINKS,
    **overrides: object,
) -> CrawlReport:
    """One crawl of `urls`, as the fetch stage runs it."""

    async def run() -> CrawlReport:
        config = settings(**overrides)
        page_store = store or PageStore(tmp_path / "store")
        async with contextlib.AsyncExitStack() as resources:
            client = await resources.enter_async_context(build_client(config))
            keeper = None
            if keep_in_a_process:
                keeper = await resources.enter_async_context(ProcessKeeper(page_store, link_finder))
            crawler = Crawler(
                client,
                config,
                page_store,
                known=known or {},
                link_finder=link_finder,
                keeper=keeper,
            )
            return await crawler.run(urls)

    return asyncio.run(run())


def only(report: CrawlReport) -> FetchOutcome:
    (outcome,) = report.outcomes
    return outcome


def known_from(report: CrawlReport) -> dict[str, KnownPage]:
    """What a warehouse would know after `report`'s run: every page fetched, with its links."""
    return {
        outcome.url: KnownPage(
            outcome.content_hash,
            outcome.body_path,
            outcome.etag,
            outcome.last_modified,
            outcome.links,
        )
        for outcome in report.outcomes
        if outcome.error is None
    }
