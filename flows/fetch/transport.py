"""The crawler's connection pool, split into small shards behind one httpx transport.

httpcore's pool looks at every connection it holds each time a request is queued or
finished (is it idle, has the server closed it?): a cost per request that grows with the pool.
With a large pool that bookkeeping, not the network, limited a local crawl; small shards do
not (figures in docs/performance.md, "Fetching"). Each shard is an ordinary
`httpx.AsyncHTTPTransport`; a request goes to the shard with the fewest requests in flight,
so the shards together behave as one pool of the full size.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable

import httpx

SHARD_CONNECTIONS = 4


class ShardedTransport(httpx.AsyncBaseTransport):
    def __init__(
        self, connections: int, *, shard_connections: int = SHARD_CONNECTIONS, http2: bool = False
    ) -> None:
        shards = max(1, math.ceil(connections / shard_connections))
        per_shard = math.ceil(connections / shards)
        limits = httpx.Limits(max_connections=per_shard, max_keepalive_connections=per_shard)
        self._shards = [httpx.AsyncHTTPTransport(limits=limits, http2=http2) for _ in range(shards)]
        self._in_flight = [0] * shards

    @property
    def shard_count(self) -> int:
        return len(self._shards)

    @property
    def in_flight(self) -> tuple[int, ...]:
        """Requests each shard holds a connection for."""
        return tuple(self._in_flight)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        shard = min(range(len(self._shards)), key=self._in_flight.__getitem__)
        self._in_flight[shard] += 1

        def release() -> None:
            self._in_flight[shard] -= 1

        try:
            response = await self._shards[shard].handle_async_request(request)
        except BaseException:
            release()
            raise
        # the request holds its connection until its body is read or closed
        response.stream = _ReleasedOnClose(response.stream, release)  # type: ignore[arg-type]
        return response

    async def aclose(self) -> None:
        for shard in self._shards:
            await shard.aclose()


class _ReleasedOnClose(httpx.AsyncByteStream):
    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._release is not None:
                self._release()
                self._release = None
