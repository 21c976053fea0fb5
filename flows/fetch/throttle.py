"""Per-host politeness: a concurrency limit and a minimum gap between request starts,
adapted to the server's latency the way Scrapy's AutoThrottle does."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from flows.fetch.settings import FetchSettings


@dataclass(slots=True)
class _Host:
    slots: asyncio.Semaphore
    delay_s: float
    floor_s: float
    next_start: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class HostThrottle:
    def __init__(self, settings: FetchSettings) -> None:
        self._settings = settings
        self._hosts: dict[str, _Host] = {}

    def _host(self, host: str) -> _Host:
        if host not in self._hosts:
            start = self._settings.min_delay_s
            if self._settings.autothrottle:
                start = max(start, self._settings.autothrottle_start_s)
            self._hosts[host] = _Host(
                slots=asyncio.Semaphore(self._settings.per_host_concurrency),
                delay_s=start,
                floor_s=self._settings.min_delay_s,
            )
        return self._hosts[host]

    def set_crawl_delay(self, host: str, seconds: float | None) -> None:
        """robots.txt's Crawl-delay is a floor no adaptation goes below."""
        if seconds is not None:
            state = self._host(host)
            state.floor_s = max(state.floor_s, seconds)
            state.delay_s = max(state.delay_s, seconds)

    def push_back(self, host: str, seconds: float) -> None:
        """The server asked us to wait (Retry-After): nobody starts on it before then."""
        state = self._host(host)
        state.next_start = max(state.next_start, time.monotonic() + seconds)

    @contextlib.asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        state = self._host(host)
        async with state.slots:
            async with state.lock:
                wait = state.next_start - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                state.next_start = time.monotonic() + state.delay_s
            yield

    def observe(self, host: str, latency_s: float, ok: bool) -> None:
        """AutoThrottle: aim for `target_concurrency` requests in flight per host. Errors
        never shorten the delay."""
        if not self._settings.autothrottle:
            return
        state = self._host(host)
        target = latency_s / self._settings.autothrottle_target_concurrency
        new_delay = (state.delay_s + target) / 2
        if not ok:
            new_delay = max(new_delay, state.delay_s)
        state.delay_s = min(max(new_delay, state.floor_s), self._settings.autothrottle_max_s)

    def delay_of(self, host: str) -> float:
        return self._host(host).delay_s
