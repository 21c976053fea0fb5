"""The crawl: a frontier of URLs worked by concurrent workers, each URL at most once a run.

A URL is fetched at most once a run (normalised, credentials aside), so a feed whose next
page points back to one already fetched (a repeating cursor) ends there. Pagination and next
links found on a page go back into the same frontier, up to `max_pages` a seed, on the
seed's own host.

Every URL the crawler reports is redacted (`user:***@host`); requests carry no credentials
in their URL, and a seed's credentials go, as Basic auth, only to the seed's own host.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import UTC, datetime

import httpx

from flows.fetch._outcome import Outcomes
from flows.fetch._report import CrawlReport, FetchOutcome, KnownPage
from flows.fetch._request import FetchFailed, PageFetcher
from flows.fetch.keeper import PageKeeper, ThreadKeeper
from flows.fetch.links import PageLinks
from flows.fetch.progress import CrawlProgress
from flows.fetch.settings import FetchSettings
from flows.fetch.store import PageStore
from flows.fetch.urls import (
    host_key,
    normalize_url,
    redact_url,
    split_credentials,
    without_credentials,
)


# Still imported from here by the orchestration and the benchmark; `flows.fetch` is their home.
class Crawler:
    """Fetches seed URLs and the pages they lead to, each at most once a run.

    `known` holds what the last run learned of each URL (for conditional requests and
    change checks; ignored under `settings.full_refresh`). `link_finder` finds a page's
    links (for reviewhouse's layouts, `parsers.FeedLinks`); give the same one to a
    `ProcessKeeper`, if one is used. Without one, only links recorded in `known` are
    followed.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: FetchSettings,
        store: PageStore,
        *,
        known: Mapping[str, KnownPage] | None = None,
        link_finder: PageLinks | None = None,
        progress: CrawlProgress | None = None,
        keeper: PageKeeper | None = None,  # stores pages; None: on the loop's threads
    ) -> None:
        self._settings = settings
        # a full refresh asks for every page afresh and treats none as seen before
        self._known = {} if settings.full_refresh else known or {}
        self._progress = progress
        self._fetcher = PageFetcher(client, settings)
        self._outcomes_of = Outcomes(
            keeper or ThreadKeeper(store, link_finder),
            link_finder,
            self._known,
            settings.max_page_bytes,
        )
        self._queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._seen: set[str] = set()  # normalised URLs without credentials
        self._per_seed: dict[str, int] = {}
        self._credentials: dict[str, httpx.BasicAuth] = {}  # by seed
        self._outcomes: list[FetchOutcome] = []

    async def run(self, seeds: list[str]) -> CrawlReport:
        started = time.perf_counter()
        for seed in seeds:
            try:
                url = normalize_url(seed)
            except ValueError as error:  # a bad port or IPv6 literal: final, and said so
                shown = redact_url(seed)
                reason = f"not a URL that can be requested: {error}"
                self._outcomes.append(FetchOutcome(shown, shown, datetime.now(UTC), error=reason))
                continue
            _bare, credentials = split_credentials(url)
            shown = redact_url(url)
            if credentials is not None:
                self._credentials[shown] = httpx.BasicAuth(*credentials)
            self._enqueue(shown, shown)
        workers = [asyncio.create_task(self._work()) for _ in range(self._settings.concurrency)]
        try:
            await self._queue.join()
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            if self._progress:
                self._progress.close()
        return CrawlReport(self._outcomes, time.perf_counter() - started)

    def _enqueue(self, url: str, seed: str) -> None:
        key = without_credentials(url)
        if key in self._seen:
            return
        if url != seed and (
            host_key(url) != host_key(seed)
            or self._per_seed.get(seed, 0) >= self._settings.max_pages
        ):
            return
        self._seen.add(key)
        self._per_seed[seed] = self._per_seed.get(seed, 0) + 1
        self._queue.put_nowait((url, seed))
        if self._progress:
            self._progress.grow(1)

    async def _work(self) -> None:
        while True:
            url, seed = await self._queue.get()
            try:
                try:
                    outcome = await self._fetch(url, seed)
                except Exception as error:  # one page's failure, never the crawl's
                    reason = f"{type(error).__name__}: {redact_url(str(error))}"
                    outcome = FetchOutcome(url, seed, datetime.now(UTC), error=reason)
                self._outcomes.append(outcome)
                if self._progress:
                    self._progress.done(outcome.error is None)
                for link in outcome.links:
                    try:
                        found = redact_url(normalize_url(link))
                    except ValueError:  # a link no request could be made for
                        continue
                    self._enqueue(found, outcome.seed)
            finally:
                self._queue.task_done()

    async def _fetch(self, url: str, seed: str) -> FetchOutcome:
        fetched_at = datetime.now(UTC)
        try:
            answer = await self._fetcher.fetch(
                url,
                known=self._known.get(url),
                auth=self._credentials.get(seed),
                auth_host=host_key(seed),
            )
        except FetchFailed as failure:
            return FetchOutcome(
                url,
                seed,
                fetched_at,
                status=failure.status,
                error=str(failure),
                attempts=failure.attempts,
            )
        return await self._outcomes_of.of(url, seed, fetched_at, answer)
