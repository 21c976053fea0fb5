"""The httpx floor measurement: plain httpx against the corpus server, every answer a 304."""

from __future__ import annotations

from bench.httpx_floor import measure


def test_httpx_floor_sends_conditional_requests_that_all_get_304():
    result = measure(requests=200, concurrency=8)

    assert result["statuses"] == {304: 200}
    assert result["seconds"] > 0
    assert result["client_cpu_ms_per_request"] > 0
    # the server answered every request itself: it spent CPU on them
    assert result["server_cpu_ms_per_request"] > 0
