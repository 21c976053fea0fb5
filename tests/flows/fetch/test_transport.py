"""The sharded connection pool: one pool's worth of connections, spread, and given back."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from flows.fetch.transport import ShardedTransport
from tests.flows.fetch.rawserver import keepalive_server


@pytest.mark.parametrize(("connections", "shards"), [(1, 1), (4, 1), (8, 2), (32, 8), (30, 8)])
def test_shards_of_at_most_four_connections(connections: int, shards: int):
    assert ShardedTransport(connections).shard_count == shards


def test_concurrent_requests_share_eight_connections_and_release_them(tmp_path):
    page = tmp_path / "page.txt"
    page.write_bytes(b"x" * 10_000)
    transport = ShardedTransport(8)

    async def run(base: str) -> list[int]:
        async with httpx.AsyncClient(transport=transport) as client:
            responses = await asyncio.gather(*(client.get(f"{base}/x") for _ in range(40)))
            return [len(response.content) for response in responses]

    with keepalive_server({"/x": page}) as (base, ports):
        assert asyncio.run(run(base)) == [10_000] * 40
    assert transport.in_flight == (0, 0)
    assert len(ports) == 40
    assert 2 <= len(set(ports)) <= 8  # both shards used, connections reused
