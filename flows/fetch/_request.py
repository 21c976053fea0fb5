"""Asking for one URL: the address guard, robots.txt, per-host politeness, redirects checked
hop by hop, conditional requests, capped bodies, and retries with backoff and `Retry-After`.

httpx retries only failed connects; everything else a well-behaved crawler needs for one URL
is here. What comes back is an `Answer`, or `FetchFailed` saying why there is none.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from flows.fetch._report import KnownPage
from flows.fetch.body import BodyRefused, read_capped
from flows.fetch.guard import FetchRefused, check_url
from flows.fetch.retry import backoff_s, is_retryable_status, retry_after_s
from flows.fetch.robots import RobotsCache
from flows.fetch.settings import FetchSettings
from flows.fetch.throttle import HostThrottle
from flows.fetch.urls import host_key, normalize_url, redact_url, without_credentials

DRAIN_LIMIT = 64 * 1024  # bytes of an unkept body read to keep its connection
REDIRECTS = frozenset({301, 302, 303, 307, 308})
TEXT_TYPES = ("text/html", "application/xhtml+xml", "application/json", "application/ld+json",
              "text/plain", "text/csv", "application/csv", "text/json")  # fmt: skip
# the request could not even be made: every attempt would fail alike
_UNREQUESTABLE = (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.LocalProtocolError)


@dataclass(slots=True)
class Answer:
    """The server's last word on a URL: a 200 with its body, or another final status."""

    status: int
    url: str  # after redirects, without credentials
    headers: httpx.Headers
    attempts: int = 1
    body: bytes | None = None


class FetchFailed(Exception):
    """No answer to keep: refused, final, or given up on; the reason is the message."""

    def __init__(self, reason: str, *, status: int | None = None, attempts: int = 0) -> None:
        super().__init__(reason)
        self.status = status
        self.attempts = attempts


class _Final(Exception):
    """A failure another attempt would not fix."""


class _Retryable(Exception):
    """A failure worth another attempt after a wait."""

    def __init__(self, reason: str, wait_s: float | None = None) -> None:
        super().__init__(reason)
        self.wait_s = wait_s


class PageFetcher:
    """Asks for URLs through one client, polite per host across every request it makes."""

    def __init__(self, client: httpx.AsyncClient, settings: FetchSettings) -> None:
        self._client = client
        self._settings = settings
        self._throttle = HostThrottle(settings)
        self._robots = RobotsCache(client, settings.user_agent)

    async def fetch(
        self,
        url: str,
        *,
        known: KnownPage | None = None,
        auth: httpx.BasicAuth | None = None,
        auth_host: str | None = None,
    ) -> Answer:
        """Ask for `url` (conditionally, when `known`), retrying what may pass. `auth` goes
        only to requests on `auth_host` (a `host_key`): a redirect or a link to another
        host never carries it."""
        try:
            await check_url(url, self._settings.allow_hosts)
            if self._settings.respect_robots and not await self._robots_allow(url):
                raise _Final("disallowed by robots.txt")
        except (FetchRefused, _Final) as refusal:
            raise FetchFailed(str(refusal)) from None
        host = host_key(url)
        deadline = time.monotonic() + self._settings.retry_budget_s
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                async with self._throttle.slot(host):
                    async with asyncio.timeout(self._settings.total_timeout_s):
                        answer = await self._attempt(url, known, auth, auth_host)
                self._throttle.observe(host, time.monotonic() - started, ok=True)
                answer.attempts = attempt
                return answer
            except _Final as failure:
                self._throttle.observe(host, time.monotonic() - started, ok=False)
                raise FetchFailed(str(failure), attempts=attempt) from None
            except _UNREQUESTABLE as bad:
                self._throttle.observe(host, time.monotonic() - started, ok=False)
                reason = f"cannot request this URL: {redact_url(str(bad))}"
                raise FetchFailed(reason, attempts=attempt) from None
            except (_Retryable, httpx.TransportError, TimeoutError) as failure:
                self._throttle.observe(host, time.monotonic() - started, ok=False)
                wait = getattr(failure, "wait_s", None)
                if wait is not None:
                    self._throttle.push_back(host, wait)
                else:
                    wait = backoff_s(
                        attempt, self._settings.backoff_base_s, self._settings.backoff_cap_s
                    )
                if attempt >= self._settings.attempts or time.monotonic() + wait > deadline:
                    reason = (
                        f"gave up after {attempt} attempts: {_describe(failure, self._settings)}"
                    )
                    raise FetchFailed(
                        reason, status=_status_of(failure), attempts=attempt
                    ) from None
                await asyncio.sleep(wait)

    async def _robots_allow(self, url: str) -> bool:
        rules = await self._robots.rules_for(url)
        self._throttle.set_crawl_delay(host_key(url), rules.crawl_delay_s)
        return rules.allows(without_credentials(url), self._settings.user_agent)

    async def _attempt(
        self,
        url: str,
        known: KnownPage | None,
        auth: httpx.BasicAuth | None,
        auth_host: str | None,
    ) -> Answer:
        current = without_credentials(url)  # credentials go as a header, to their host only
        chain = [current]
        for _ in range(self._settings.max_redirects + 1):
            headers = {}
            if known and len(chain) == 1:
                if known.etag:
                    headers["If-None-Match"] = known.etag
                if known.last_modified:
                    headers["If-Modified-Since"] = known.last_modified
            hop_auth = auth if auth_host is not None and host_key(current) == auth_host else None
            async with self._client.stream(
                "GET", current, headers=headers, auth=hop_auth
            ) as response:
                if response.status_code != 200:
                    await _drain(response)
                location = response.headers.get("location")
                if response.status_code in REDIRECTS and location:
                    target = await self._redirect_target(current, location, chain)
                    chain.append(target)
                    current = target
                    continue
                if is_retryable_status(response.status_code):
                    wait = retry_after_s(response.headers.get("retry-after"))
                    raise _Retryable(f"HTTP {response.status_code}", wait)
                if response.status_code != 200:
                    return Answer(response.status_code, current, response.headers)
                _check_type(response.headers.get("content-type"))
                try:
                    body = await read_capped(response, self._settings.max_page_bytes)
                except BodyRefused as refusal:
                    raise _Final(str(refusal)) from None
                return Answer(200, current, response.headers, body=body)
        raise _Final(f"more than {self._settings.max_redirects} redirects")

    async def _redirect_target(self, current: str, location: str, chain: list[str]) -> str:
        """Where a redirect leads, once it is known to be a URL we may ask, and no loop."""
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
        return target


def _check_type(content_type: str | None) -> None:
    media = (content_type or "").split(";")[0].strip().lower()
    if media and not media.startswith(TEXT_TYPES):
        raise _Final(f"unsupported content type {media}")


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
