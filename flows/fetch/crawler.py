"""The crawler: one async httpx client, a frontier of URLs, polite workers.

httpx pools connections and speaks HTTP/2 but retries only failed connects; everything else a
well-behaved crawler needs is here: per-host politeness, robots.txt, retries with backoff and
`Retry-After`, redirects checked hop by hop, capped and safely decompressed bodies,
conditional requests, credentials sent to their own host only, and pagination fed back into
the same frontier.

A URL is fetched at most once a run (normalised, credentials aside), so a feed whose next
page points back to one already fetched (a repeating cursor) ends there.

Every URL the crawler reports is redacted (`user:***@host`); requests carry no credentials
in their URL, and a seed's credentials go, as Basic auth, only to the seed's own host.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import httpx

from flows.fetch.body import BodyRefused, read_capped
from flows.fetch.guard import FetchRefused, check_url
from flows.fetch.keeper import KeepingFailed, LinkFinder, PageKeeper, ThreadKeeper, find_links
from flows.fetch.progress import CrawlProgress
from flows.fetch.retry import backoff_s, is_retryable_status, retry_after_s
from flows.fetch.robots import RobotsCache
from flows.fetch.settings import FetchSettings
from flows.fetch.store import PageStore
from flows.fetch.throttle import HostThrottle
from flows.fetch.transport import ShardedTransport
from flows.fetch.urls import (
    host_key,
    normalize_url,
    redact_url,
    split_credentials,
    without_credentials,
)
from flows.pages import PageRef, read_body
from parsers.urls import is_rt_api_url

DRAIN_LIMIT = 64 * 1024  # bytes of an unkept body read to keep its connection
REDIRECTS = frozenset({301, 302, 303, 307, 308})
REFUSALS = frozenset({401, 403})  # the site refuses this client: asking again will not help
TEXT_TYPES = ("text/html", "application/xhtml+xml", "application/json", "application/ld+json",
              "text/plain", "text/csv", "application/csv", "text/json")  # fmt: skip
KEPT_HEADERS = ("content-type", "etag", "last-modified", "content-length", "date", "server",
                "cache-control", "content-encoding")  # fmt: skip


@dataclass(frozen=True, slots=True)
class KnownPage:
    """What the last run learned about a URL: for conditional requests and change checks."""

    content_hash: str
    body_path: str
    etag: str | None = None
    last_modified: str | None = None
    links: tuple[str, ...] | None = None  # the page's links to other pages, as last found

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> KnownPage:
        """From a row of page facts (the `pages` table, or a fetch's web facts)."""
        links = row["links"]
        return cls(
            content_hash=row["content_hash"],
            body_path=row["body_path"],
            etag=row["etag"],
            last_modified=row["last_modified"],
            links=None if links is None else tuple(links),
        )


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    url: str  # as asked for, normalised, its password redacted
    seed: str  # the URL whose crawl led here (itself for a seed), redacted alike
    fetched_at: datetime
    status: int | None = None
    final_url: str | None = None
    page: PageRef | None = None  # a new or changed body, ready to parse
    unchanged: bool = False  # 304, or the same bytes as the stored version
    error: str | None = None
    attempts: int = 0
    content_hash: str | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    headers: str | None = None  # JSON of the response headers kept
    byte_size: int | None = None
    body_path: str | None = None
    links: tuple[str, ...] = ()  # pagination and next-page links found on the page


@dataclass(slots=True)
class CrawlReport:
    outcomes: list[FetchOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def pages(self) -> list[PageRef]:
        return [outcome.page for outcome in self.outcomes if outcome.page is not None]

    @property
    def failed(self) -> list[FetchOutcome]:
        return [outcome for outcome in self.outcomes if outcome.error]

    @property
    def unchanged(self) -> int:
        return sum(outcome.unchanged for outcome in self.outcomes)


class _Final(Exception):
    """A failure another attempt would not fix."""


class _Retryable(Exception):
    """A failure worth another attempt after a wait."""

    def __init__(self, reason: str, wait_s: float | None = None) -> None:
        super().__init__(reason)
        self.wait_s = wait_s


@dataclass(slots=True)
class _Response:
    status: int
    url: str
    headers: httpx.Headers
    body: bytes | None = None


def build_client(settings: FetchSettings) -> httpx.AsyncClient:
    """The run's one client: pooled, HTTP/2 where offered, redirects handled by the crawler."""
    timeout = httpx.Timeout(
        settings.read_timeout_s, connect=settings.connect_timeout_s, pool=settings.total_timeout_s
    )
    return httpx.AsyncClient(
        transport=ShardedTransport(settings.concurrency, http2=settings.http2),
        timeout=timeout,
        follow_redirects=False,
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
    )


class Crawler:
    """Fetches seed URLs and the pages they lead to, each at most once a run.

    `known` holds what the last run learned of each URL (for conditional requests and
    change checks; ignored under `settings.full_refresh`). `link_finder` finds a page's
    links; for incremental RT API paging build it with `keeper.link_finder_for(known_reviews,
    full_refresh=...)` and give the same finder to a `ProcessKeeper`, if one is used.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: FetchSettings,
        store: PageStore,
        *,
        known: Mapping[str, KnownPage] | None = None,
        link_finder: LinkFinder | None = None,
        progress: CrawlProgress | None = None,
        keeper: PageKeeper | None = None,  # stores pages; None: on the loop's threads
    ) -> None:
        self._client = client
        self._settings = settings
        # a full refresh asks for every page afresh and treats none as seen before
        self._known = {} if settings.full_refresh else known or {}
        self._links = link_finder
        self._progress = progress
        self._keeper = keeper or ThreadKeeper(store, link_finder)
        self._throttle = HostThrottle(settings)
        self._robots = RobotsCache(client, settings.user_agent)
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

    async def _links_of_unchanged(
        self, known: KnownPage, url: str, content_type: str | None
    ) -> tuple[str, ...]:
        """An unchanged page's links: as recorded last time, else read from the raw store."""
        if known.links is not None or self._links is None:
            return known.links or ()
        page = PageRef(
            url=url, body_path=known.body_path, fetched_at=datetime.now(UTC), compressed=True
        )
        try:
            body = await asyncio.to_thread(read_body, page, self._settings.max_page_bytes)
        except OSError:
            return ()
        return find_links(self._links, body, url, content_type)

    async def _fetch(self, url: str, seed: str) -> FetchOutcome:
        fetched_at = datetime.now(UTC)
        try:
            await check_url(url, self._settings.allow_hosts)
            if self._settings.respect_robots and not await self._robots_allow(url):
                raise _Final("disallowed by robots.txt")
        except (FetchRefused, _Final) as refusal:
            return FetchOutcome(url, seed, fetched_at, error=str(refusal))
        host = host_key(url)
        deadline = time.monotonic() + self._settings.retry_budget_s
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                async with self._throttle.slot(host):
                    async with asyncio.timeout(self._settings.total_timeout_s):
                        response = await self._attempt(url, seed)
                self._throttle.observe(host, time.monotonic() - started, ok=True)
                return await self._outcome(url, seed, fetched_at, response, attempt)
            except _Final as failure:
                self._throttle.observe(host, time.monotonic() - started, ok=False)
                return FetchOutcome(url, seed, fetched_at, error=str(failure), attempts=attempt)
            except (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.LocalProtocolError) as bad:
                # the request could not even be made: every attempt would fail alike
                self._throttle.observe(host, time.monotonic() - started, ok=False)
                reason = f"cannot request this URL: {redact_url(str(bad))}"
                return FetchOutcome(url, seed, fetched_at, error=reason, attempts=attempt)
            except (_Retryable, httpx.TransportError, TimeoutError) as failure:
                self._throttle.observe(host, time.monotonic() - started, ok=False)
                reason = _describe(failure, self._settings)
                wait = getattr(failure, "wait_s", None)
                if wait is not None:
                    self._throttle.push_back(host, wait)
                else:
                    wait = backoff_s(
                        attempt, self._settings.backoff_base_s, self._settings.backoff_cap_s
                    )
                status = _status_of(failure)
                if attempt >= self._settings.attempts or time.monotonic() + wait > deadline:
                    return FetchOutcome(
                        url,
                        seed,
                        fetched_at,
                        status=status,
                        error=f"gave up after {attempt} attempts: {reason}",
                        attempts=attempt,
                    )
                await asyncio.sleep(wait)

    async def _robots_allow(self, url: str) -> bool:
        rules = await self._robots.rules_for(url)
        self._throttle.set_crawl_delay(host_key(url), rules.crawl_delay_s)
        return rules.allows(without_credentials(url), self._settings.user_agent)

    def _auth_for(self, seed: str, url: str) -> httpx.BasicAuth | None:
        """The seed's credentials, for a request to the seed's own host; else none (a
        redirect or a link to another host never carries them)."""
        credentials = self._credentials.get(seed)
        if credentials is None or host_key(url) != host_key(seed):
            return None
        return credentials

    async def _attempt(self, url: str, seed: str) -> _Response:
        current = without_credentials(url)  # credentials go as a header, to their host only
        chain = [current]
        known = self._known.get(url)
        for _ in range(self._settings.max_redirects + 1):
            headers = {}
            if known and len(chain) == 1:
                if known.etag:
                    headers["If-None-Match"] = known.etag
                if known.last_modified:
                    headers["If-Modified-Since"] = known.last_modified
            auth = self._auth_for(seed, current)
            async with self._client.stream("GET", current, headers=headers, auth=auth) as response:
                if response.status_code != 200:
                    await _drain(response)
                location = response.headers.get("location")
                if response.status_code in REDIRECTS and location:
                    try:
                        target = without_credentials(normalize_url(urljoin(current, location)))
                    except ValueError as error:
                        raise _Final(f"redirect to an unusable URL: {error}") from None
                    if target in chain:
                        raise _Final(f"redirect loop: {' -> '.join([*chain, target])}")
                    try:
                        await check_url(target, self._settings.allow_hosts)
                    except FetchRefused as refusal:
                        raise _Final(f"redirect to {target} refused: {refusal}") from None
                    chain.append(target)
                    current = target
                    continue
                if is_retryable_status(response.status_code):
                    wait = retry_after_s(response.headers.get("retry-after"))
                    raise _Retryable(f"HTTP {response.status_code}", wait)
                if response.status_code != 200:
                    return _Response(response.status_code, current, response.headers)
                self._check_type(response.headers.get("content-type"))
                try:
                    body = await read_capped(response, self._settings.max_page_bytes)
                except BodyRefused as refusal:
                    raise _Final(str(refusal)) from None
                return _Response(200, current, response.headers, body)
        raise _Final(f"more than {self._settings.max_redirects} redirects")

    def _check_type(self, content_type: str | None) -> None:
        media = (content_type or "").split(";")[0].strip().lower()
        if media and not media.startswith(TEXT_TYPES):
            raise _Final(f"unsupported content type {media}")

    async def _outcome(
        self, url: str, seed: str, fetched_at: datetime, response: _Response, attempts: int
    ) -> FetchOutcome:
        headers = {
            name: response.headers[name] for name in KEPT_HEADERS if name in response.headers
        }
        common = {
            "status": response.status,
            "final_url": response.url,
            "attempts": attempts,
            "content_type": response.headers.get("content-type"),
            "etag": response.headers.get("etag"),
            "last_modified": response.headers.get("last-modified"),
            "headers": json.dumps(headers),
        }
        known = self._known.get(url)
        if response.status == 304 and known:
            links = ()
            if self._follows_unchanged(response.url):
                links = await self._links_of_unchanged(known, response.url, common["content_type"])
            return FetchOutcome(
                url,
                seed,
                fetched_at,
                unchanged=True,
                content_hash=known.content_hash,
                body_path=known.body_path,
                links=links,
                **{**common, "etag": common["etag"] or known.etag},
            )
        if response.body is None:
            reason = f"HTTP {response.status}"
            if response.status in REFUSALS:
                reason = f"refused by the site: {reason} (the server refuses this client)"
            return FetchOutcome(url, seed, fetched_at, error=reason, **common)
        try:
            digest, path, links = await self._keeper.keep(
                response.body, response.url, common["content_type"]
            )
        except KeepingFailed as error:
            reason = f"could not store the page: {error}"
            return FetchOutcome(url, seed, fetched_at, error=reason, **common)
        unchanged = known is not None and known.content_hash == digest
        if unchanged and not self._follows_unchanged(response.url):
            links = ()
        page = None
        if not unchanged:
            page = PageRef(
                url=response.url,
                body_path=str(path),
                fetched_at=fetched_at,
                compressed=True,
                content_type=common["content_type"],
                content_hash=digest,
            )
        return FetchOutcome(
            url,
            seed,
            fetched_at,
            page=page,
            unchanged=unchanged,
            content_hash=digest,
            byte_size=len(response.body),
            body_path=str(path),
            links=links,
            **common,
        )

    def _follows_unchanged(self, url: str) -> bool:
        """Whether an unchanged page's links are followed. An unchanged page of RT's review
        API, newest first, means every review after it was loaded before: an incremental
        run stops there. Other pages' links are followed (a later page may have changed)."""
        return self._settings.full_refresh or not is_rt_api_url(url)


async def _drain(response: httpx.Response, limit: int = DRAIN_LIMIT) -> None:
    """Read a short body we do not keep (a 304's, a redirect's, an error page's): closing a
    response before its end closes its connection, and reopening one per 304 made re-runs
    slower than first runs."""
    read = 0
    with contextlib.suppress(httpx.HTTPError):
        async for chunk in response.aiter_raw():
            read += len(chunk)
            if read > limit:
                return


def _status_of(failure: BaseException) -> int | None:
    text = str(failure)
    return int(text[5:8]) if text.startswith("HTTP ") and text[5:8].isdigit() else None


def _describe(failure: BaseException, settings: FetchSettings) -> str:
    if isinstance(failure, TimeoutError):
        return f"no complete answer within {settings.total_timeout_s:g} s"
    if isinstance(failure, httpx.TimeoutException):
        return f"timed out ({type(failure).__name__})"
    if isinstance(failure, httpx.RemoteProtocolError):
        return f"connection dropped: {failure}"
    if isinstance(failure, httpx.TransportError):
        return f"{type(failure).__name__}: {failure}"
    return str(failure)
