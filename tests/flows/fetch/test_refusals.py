"""Failures another attempt would not fix are final at once: the site refusing this client
(401, 403), and URLs no request can be made for."""

from __future__ import annotations

import time

import pytest
from pytest_httpserver import HTTPServer

from tests.flows.fetch.crawling import LOCAL, crawl, only


@pytest.mark.parametrize("status", [401, 403])
def test_the_site_refusing_this_client_is_final_and_says_so(
    httpserver: HTTPServer, tmp_path, status
):
    httpserver.expect_request("/napi/rtcf/v1/movies/abc/reviews").respond_with_data(
        '{"error": "Unauthorized"}', status=status, content_type="application/json"
    )
    url = httpserver.url_for("/napi/rtcf/v1/movies/abc/reviews")
    outcome = only(crawl([url], tmp_path))
    assert outcome.error == (f"refused by the site: HTTP {status} (the server refuses this client)")
    assert (outcome.url, outcome.status, outcome.attempts, outcome.page) == (url, status, 1, None)
    assert len(httpserver.log) == 1


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://0177.0.0.1:{port}/x", "not a URL that can be requested: Invalid IPv4 address"),
        ("http://127.0.0.1:99999/x", "not a URL that can be requested: Port out of range"),
        ("http://[::1/x", "not a URL that can be requested: Invalid IPv6 URL"),
    ],
)
def test_a_url_no_request_can_be_made_for_is_final_at_once(
    httpserver: HTTPServer, tmp_path, url, reason
):
    url = url.format(port=httpserver.port)
    httpserver.expect_request("/fine").respond_with_data("<html></html>", content_type="text/html")
    started = time.monotonic()
    report = crawl(
        [url, httpserver.url_for("/fine")],
        tmp_path,
        allow_hosts=LOCAL | {"0177.0.0.1"},
        backoff_base_s=1.0,
    )
    assert time.monotonic() - started < 1.5  # no backoff: nothing was retried
    failed, fine = sorted(report.outcomes, key=lambda o: o.url.endswith("/fine"))
    assert failed.error.startswith(reason), failed.error
    assert failed.attempts <= 1
    assert (fine.url, fine.error) == (httpserver.url_for("/fine"), None)  # the crawl went on
    assert [request.path for request, _ in httpserver.log] == ["/fine"]
