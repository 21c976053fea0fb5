"""The run's one HTTP client."""

from __future__ import annotations

import httpx

from flows.fetch.settings import FetchSettings
from flows.fetch.transport import ShardedTransport


def build_client(settings: FetchSettings) -> httpx.AsyncClient:
    """The run's one client: pooled, HTTP/2 where offered, redirects handled by the crawler.

    >>> import asyncio
    >>> async def ask() -> None:
    ...     async with build_client(FetchSettings()) as client:
    ...         assert not client.follow_redirects
    >>> asyncio.run(ask())
    """
    timeout = httpx.Timeout(
        settings.read_timeout_s, connect=settings.connect_timeout_s, pool=settings.total_timeout_s
    )
    return httpx.AsyncClient(
        transport=ShardedTransport(settings.concurrency, http2=settings.http2),
        timeout=timeout,
        follow_redirects=False,
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
    )
