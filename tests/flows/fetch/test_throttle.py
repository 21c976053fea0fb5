"""Per-host politeness: a gap between request starts on one host, a limit on requests in
flight, AutoThrottle adapting the gap to the server's latency, robots.txt's Crawl-delay and
Retry-After respected; and every host on its own."""

from __future__ import annotations

import asyncio
import time

from flows.fetch import FetchSettings
from flows.fetch.throttle import HostThrottle

A, B = "http://a.example", "http://b.example"


def fixed(delay_s: float, **overrides: object) -> FetchSettings:
    """A fixed gap of `delay_s` between starts on one host, no adaptation."""
    return FetchSettings(min_delay_s=delay_s, autothrottle=False, **overrides)  # type: ignore[arg-type]


def start_times(throttle: HostThrottle, hosts: list[str]) -> list[float]:
    """When each of `hosts`' requests started, all asked for at once, relative to the first
    ask; each request takes no time."""

    async def run() -> list[float]:
        began = time.monotonic()

        async def one(host: str) -> float:
            async with throttle.slot(host):
                return time.monotonic() - began

        return await asyncio.gather(*(one(host) for host in hosts))

    return asyncio.run(run())


def test_starts_on_one_host_are_at_least_the_delay_apart():
    starts = sorted(start_times(HostThrottle(fixed(0.2)), [A, A, A]))
    assert starts[0] < 0.1
    assert starts[1] - starts[0] >= 0.19
    assert starts[2] - starts[1] >= 0.19


def test_each_host_has_its_own_gap():
    starts = start_times(HostThrottle(fixed(0.5)), [A, B])
    assert max(starts) < 0.2  # b.example does not wait for a.example


def test_requests_in_flight_on_one_host_are_limited():
    throttle = HostThrottle(fixed(0.0, per_host_concurrency=2))
    in_flight, most = 0, 0

    async def one(host: str) -> None:
        nonlocal in_flight, most
        async with throttle.slot(host):
            in_flight += 1
            most = max(most, in_flight)
            await asyncio.sleep(0.05)
            in_flight -= 1

    async def run() -> None:
        await asyncio.gather(*(one(A) for _ in range(6)), one(B), one(B))

    asyncio.run(run())
    assert most == 4  # two on each host


def test_retry_after_holds_every_start_on_that_host_only():
    throttle = HostThrottle(fixed(0.0))
    throttle.push_back(A, 0.3)
    starts = start_times(throttle, [A, B])
    assert starts[0] >= 0.29
    assert starts[1] < 0.1


def autothrottled(**overrides: object) -> HostThrottle:
    base = {
        "min_delay_s": 0.25,
        "autothrottle_start_s": 1.0,
        "autothrottle_max_s": 30.0,
        "autothrottle_target_concurrency": 2.0,
    }
    return HostThrottle(FetchSettings(**{**base, **overrides}))  # type: ignore[arg-type]


def test_autothrottle_starts_cautious_and_speeds_up_for_a_fast_server():
    throttle = autothrottled()
    assert throttle.delay_of(A) == 1.0
    for _ in range(20):
        throttle.observe(A, 0.01, ok=True)
    assert throttle.delay_of(A) == 0.25  # down to the floor, never below


def test_autothrottle_slows_down_for_a_slow_server_up_to_its_maximum():
    throttle = autothrottled()
    throttle.observe(A, 9.0, ok=True)  # aims at latency / target concurrency = 4.5 s
    assert throttle.delay_of(A) == (1.0 + 4.5) / 2
    for _ in range(20):
        throttle.observe(A, 600.0, ok=True)
    assert throttle.delay_of(A) == 30.0
    assert throttle.delay_of(B) == 1.0  # another host is untouched


def test_errors_never_shorten_the_delay():
    throttle = autothrottled()
    throttle.observe(A, 0.01, ok=False)  # a fast failure
    assert throttle.delay_of(A) == 1.0
    throttle.observe(A, 9.0, ok=False)  # a slow one still slows down
    assert throttle.delay_of(A) == 2.75


def test_crawl_delay_is_a_floor_adaptation_never_goes_below():
    throttle = autothrottled()
    throttle.set_crawl_delay(A, 2.0)
    assert throttle.delay_of(A) == 2.0
    for _ in range(20):
        throttle.observe(A, 0.01, ok=True)
    assert throttle.delay_of(A) == 2.0
    throttle.set_crawl_delay(B, None)  # no Crawl-delay: nothing changes
    assert throttle.delay_of(B) == 1.0


def test_without_autothrottle_the_delay_stays_as_set():
    throttle = HostThrottle(fixed(0.25))
    throttle.observe(A, 60.0, ok=True)
    assert throttle.delay_of(A) == 0.25
