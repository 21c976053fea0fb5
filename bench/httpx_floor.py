"""What httpx alone does on this machine: conditional GETs answered 304, nothing else.

    python -m bench.httpx_floor [--requests 20000] [--concurrency 32]

A plain `httpx.AsyncClient` (default transport, `--concurrency` connections) asks the
benchmark's corpus server, in its own process as in the benchmark, for one page with the
page's ETag, so every answer is a 304 with no body. No reviewhouse code runs. It reports
requests a second, and the CPU each request cost the client and the server.

This is the floor under the re-fetch target (a second fetch of unchanged pages in at most
10% of the first fetch's time): the crawler cannot check pages faster than the HTTP client
it is built on can send conditional requests.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from bench import write_result
from bench.__main__ import start_corpus_server, stop

PAGE_PATH = "/m/floor/reviews"


async def _conditional_gets(base_url: str, requests: int, concurrency: int) -> dict:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits) as client:
        first = await client.get(PAGE_PATH)
        first.raise_for_status()
        conditional = {"If-None-Match": first.headers["etag"]}
        slots = asyncio.Semaphore(concurrency)
        statuses: dict[int, int] = {}

        async def one() -> None:
            async with slots:
                response = await client.get(PAGE_PATH, headers=conditional)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started, cpu_started = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one() for _ in range(requests)))
        return {
            "seconds": time.perf_counter() - started,
            "client_cpu_s": time.process_time() - cpu_started,
            "statuses": statuses,
        }


def measure(requests: int = 20_000, concurrency: int = 32) -> dict:
    """Time `requests` conditional GETs, all answered 304, against a fresh corpus server."""
    with tempfile.TemporaryDirectory() as directory:
        pages = Path(directory)
        (pages / "page-0000001.html").write_text("<html><title>Floor</title></html>\n" * 3000)
        (pages / "page-0000001.url").write_text(f"http://corpus.local{PAGE_PATH}\n")
        server, base_url = start_corpus_server(pages)
        try:
            server_process = psutil.Process(server.pid)
            server_cpu = sum(server_process.cpu_times()[:2])
            result = asyncio.run(_conditional_gets(base_url, requests, concurrency))
            server_cpu = sum(server_process.cpu_times()[:2]) - server_cpu
        finally:
            stop(server)
    return {
        "requests": requests,
        "concurrency": concurrency,
        "statuses": result["statuses"],
        "seconds": result["seconds"],
        "requests_per_s": requests / result["seconds"],
        "client_cpu_ms_per_request": 1000 * result["client_cpu_s"] / requests,
        "server_cpu_ms_per_request": 1000 * server_cpu / requests,
    }


def main() -> int:
    arguments = argparse.ArgumentParser(prog="python -m bench.httpx_floor", description=__doc__)
    arguments.add_argument("--requests", type=int, default=20_000)
    arguments.add_argument("--concurrency", type=int, default=32)
    arguments.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    options = arguments.parse_args()
    result = measure(options.requests, options.concurrency)
    write_result(options.out, "httpx_floor", result)
    print(
        f"httpx alone: {result['requests_per_s']:,.0f} conditional GETs/s (304), "
        f"{result['client_cpu_ms_per_request']:.2f} ms client CPU and "
        f"{result['server_cpu_ms_per_request']:.2f} ms server CPU per request"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
