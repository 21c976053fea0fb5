"""The crawler against real HTTP servers on 127.0.0.1, with real faults."""

from __future__ import annotations

import gzip
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bench.render import Movie, Review, review_table_row
from flows.fetch import KnownPage, PageStore, read_body
from tests.conftest import SEED_PAGE
from tests.flows.fetch.crawling import crawl, only
from tests.flows.fetch.rawserver import (
    dropped_mid_body,
    keepalive_server,
    ok,
    raw_server,
    slow_body,
)

PAGE = SEED_PAGE.read_bytes()


def test_500_then_200_is_retried_and_stored(httpserver: HTTPServer, tmp_path):
    httpserver.expect_ordered_request("/page").respond_with_data("oops", status=500)
    httpserver.expect_ordered_request("/page").respond_with_data(PAGE, content_type="text/plain")
    outcome = only(crawl([httpserver.url_for("/page")], tmp_path))
    assert (outcome.error, outcome.status, outcome.attempts) == (None, 200, 2)
    assert read_body(outcome.page) == PAGE
    assert Path(outcome.page.body_path).name == f"{outcome.content_hash}.zst"


def test_429_waits_as_long_as_retry_after_says(httpserver: HTTPServer, tmp_path):
    httpserver.expect_ordered_request("/p").respond_with_data(
        "slow down", 429, {"Retry-After": "1"}
    )
    httpserver.expect_ordered_request("/p").respond_with_data(PAGE, content_type="text/plain")
    started = time.monotonic()
    outcome = only(crawl([httpserver.url_for("/p")], tmp_path))
    assert outcome.error is None
    assert outcome.attempts == 2
    assert time.monotonic() - started >= 1.0


def test_retry_after_as_an_http_date(httpserver: HTTPServer, tmp_path):
    from datetime import timedelta
    from email.utils import format_datetime

    later = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    httpserver.expect_ordered_request("/p").respond_with_data("busy", 503, {"Retry-After": later})
    httpserver.expect_ordered_request("/p").respond_with_data(PAGE, content_type="text/plain")
    started = time.monotonic()
    assert only(crawl([httpserver.url_for("/p")], tmp_path)).error is None
    assert time.monotonic() - started >= 0.9


def test_persistent_5xx_gives_up_within_the_attempt_bound(httpserver: HTTPServer, tmp_path):
    httpserver.expect_request("/down").respond_with_data("no", status=503)
    outcome = only(crawl([httpserver.url_for("/down")], tmp_path, attempts=3))
    assert outcome.error == "gave up after 3 attempts: HTTP 503"
    assert (outcome.status, outcome.attempts) == (503, 3)
    assert len(httpserver.log) == 3


def test_404_is_final_and_not_retried(httpserver: HTTPServer, tmp_path):
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    outcome = only(crawl([httpserver.url_for("/gone")], tmp_path))
    assert (outcome.error, outcome.attempts) == ("HTTP 404", 1)
    assert len(httpserver.log) == 1


def test_connection_dropped_mid_body_is_retried(tmp_path):
    with raw_server({"/flaky": dropped_mid_body(PAGE, first_good_hit=2)}) as (base, hits):
        outcome = only(crawl([f"{base}/flaky"], tmp_path))
    assert outcome.error is None
    assert hits["/flaky"] == 2
    assert read_body(outcome.page) == PAGE


def test_a_body_slower_than_the_timeout_fails_after_bounded_retries(tmp_path):
    with raw_server({"/slow": slow_body(5)}) as (base, hits):
        started = time.monotonic()
        outcome = only(crawl([f"{base}/slow"], tmp_path, read_timeout_s=0.3, attempts=2))
    assert outcome.error is not None
    assert outcome.error.startswith("gave up after 2 attempts: timed out")
    assert hits["/slow"] == 2
    assert time.monotonic() - started < 4


def test_redirect_loop_is_final(httpserver: HTTPServer, tmp_path):
    httpserver.expect_request("/a").respond_with_data("", 302, {"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", 301, {"Location": "/a"})
    outcome = only(crawl([httpserver.url_for("/a")], tmp_path))
    assert outcome.error.startswith("redirect loop: ")
    assert outcome.error.endswith(
        "/a -> " + httpserver.url_for("/b") + " -> " + httpserver.url_for("/a")
    )


def test_redirect_to_a_private_address_is_refused(httpserver: HTTPServer, tmp_path):
    metadata = "http://169.254.169.254/latest/meta-data/"
    httpserver.expect_request("/r").respond_with_data("", 302, {"Location": metadata})
    outcome = only(crawl([httpserver.url_for("/r")], tmp_path))
    assert outcome.error.startswith(f"redirect to {metadata} refused")


def test_private_hosts_need_the_allow_list(tmp_path):
    outcome = only(crawl(["http://127.0.0.1:9/x"], tmp_path, allow_hosts=frozenset()))
    assert "private or internal address" in outcome.error
    assert "--allow-host" in outcome.error


def test_only_http_and_https(tmp_path):
    outcome = only(crawl(["ftp://example.com/x"], tmp_path))
    assert outcome.error.startswith("only http and https")


def test_a_60_mb_body_is_cut_off_not_held(httpserver: HTTPServer, tmp_path):
    big = b"<html>" + b"x" * (60 * 1024 * 1024)

    def streamed(_request: Request) -> Response:
        def chunks():
            for start in range(0, len(big), 1 << 20):
                yield big[start : start + (1 << 20)]

        return Response(chunks(), content_type="text/html")  # no Content-Length

    httpserver.expect_request("/big").respond_with_handler(streamed)
    httpserver.expect_request("/declared").respond_with_data(big, content_type="text/html")
    report = crawl([httpserver.url_for("/big"), httpserver.url_for("/declared")], tmp_path)
    errors = {Path(o.url).name: o.error for o in report.outcomes}
    assert errors["big"] == "page larger than the 20 MiB cap (--max-page-bytes)"
    assert errors["declared"] == "page larger than the 20 MiB cap (--max-page-bytes)"
    assert not (tmp_path / "store").exists() or not any((tmp_path / "store").rglob("*.zst"))


def test_a_gzip_bomb_is_cut_off_at_the_limit(httpserver: HTTPServer, tmp_path):
    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 300_000
    httpserver.expect_request("/bomb").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip"}, content_type="text/html"
    )
    outcome = only(crawl([httpserver.url_for("/bomb")], tmp_path))
    assert outcome.error == "page larger than the 20 MiB cap (--max-page-bytes)"


def test_gzip_encoded_pages_are_decoded(httpserver: HTTPServer, tmp_path):
    httpserver.expect_request("/z").respond_with_data(
        gzip.compress(PAGE), headers={"Content-Encoding": "gzip"}, content_type="text/plain"
    )
    outcome = only(crawl([httpserver.url_for("/z")], tmp_path))
    assert read_body(outcome.page) == PAGE


def test_binary_content_types_are_refused(httpserver: HTTPServer, tmp_path):
    httpserver.expect_request("/img").respond_with_data(b"\x89PNG", content_type="image/png")
    assert only(crawl([httpserver.url_for("/img")], tmp_path)).error == (
        "unsupported content type image/png"
    )


def test_robots_txt_is_obeyed_and_read_once(httpserver: HTTPServer, tmp_path):
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private\nCrawl-delay: 0.5\n", content_type="text/plain"
    )
    httpserver.expect_request("/public/1").respond_with_data(PAGE, content_type="text/plain")
    httpserver.expect_request("/public/2").respond_with_data(PAGE, content_type="text/plain")
    urls = [httpserver.url_for(p) for p in ("/private/x", "/public/1", "/public/2")]
    started = time.monotonic()
    report = crawl(urls, tmp_path, respect_robots=True)
    errors = {
        o.url.rsplit("/", 2)[-2] + "/" + o.url.rsplit("/", 1)[-1]: o.error for o in report.outcomes
    }
    assert errors["private/x"] == "disallowed by robots.txt"
    assert errors["public/1"] is None
    assert errors["public/2"] is None
    paths = [request.path for request, _ in httpserver.log]
    assert paths.count("/robots.txt") == 1
    assert "/private/x" not in paths
    assert time.monotonic() - started >= 0.5  # Crawl-delay between the two public pages


def test_second_run_sends_conditional_requests_and_a_304_skips_the_page(
    httpserver: HTTPServer, tmp_path
):
    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(PAGE, content_type="text/plain", headers={"ETag": '"v1"'})

    httpserver.expect_request("/page").respond_with_handler(handler)
    url = httpserver.url_for("/page")
    first = only(crawl([url], tmp_path))
    assert first.page is not None
    assert first.etag == '"v1"'
    known = {url: KnownPage(first.content_hash, first.body_path, first.etag, None)}
    second = only(crawl([url], tmp_path, known=known))
    assert second.unchanged
    assert second.page is None
    assert second.status == 304
    assert httpserver.log[-1][0].headers["If-None-Match"] == '"v1"'


def test_304s_keep_their_connections_open_for_the_next_request(tmp_path):
    pages = {f"/page?n={number}": SEED_PAGE for number in range(12)}
    with keepalive_server(pages) as (base, ports):
        urls = [f"{base}{path}" for path in pages]
        first = crawl(urls, tmp_path, concurrency=2, per_host_concurrency=2)
        known = {o.url: KnownPage(o.content_hash, o.body_path, o.etag) for o in first.outcomes}
        del ports[:]
        second = crawl(urls, tmp_path, known=known, concurrency=2, per_host_concurrency=2)
    assert [o.status for o in second.outcomes] == [304] * 12
    assert len(ports) == 12
    assert len(set(ports)) <= 2  # one connection per concurrent request, each reused


def test_an_unchanged_body_without_validators_is_not_parsed_again(httpserver: HTTPServer, tmp_path):
    httpserver.expect_request("/page").respond_with_data(PAGE, content_type="text/plain")
    url = httpserver.url_for("/page")
    first = only(crawl([url], tmp_path))
    second = only(
        crawl([url], tmp_path, known={url: KnownPage(first.content_hash, first.body_path)})
    )
    assert (second.unchanged, second.page) == (True, None)


def test_pagination_is_followed_each_page_once(httpserver: HTTPServer, tmp_path):
    movie = Movie("Paged", "paged", 2016)
    review = Review("A B", "Paper", "Fine.", date(2016, 1, 2), "3/4", True)
    for number in (1, 2, 3):
        httpserver.expect_request(
            "/m/paged/reviews/", query_string=f"page={number}&sort="
        ).respond_with_data(review_table_row(movie, [review], number, 3), content_type="text/html")
    seeds = [
        httpserver.url_for("/m/paged/reviews/") + "?page=1&sort=",
        httpserver.url_for("/m/paged/reviews/") + "?page=1&sort=&utm_source=x#reviews",
    ]
    report = crawl(seeds, tmp_path)
    assert sorted(o.url.rsplit("page=", 1)[1] for o in report.outcomes) == [
        "1&sort=",
        "2&sort=",
        "3&sort=",
    ]
    assert all(o.error is None for o in report.outcomes)
    assert len(httpserver.log) == 3


def test_pages_stored_by_a_worker_process_are_the_same_and_their_links_followed(
    httpserver: HTTPServer, tmp_path
):
    movie = Movie("Paged", "paged", 2016)
    review = Review("A B", "Paper", "Fine.", __import__("datetime").date(2016, 1, 2), "3/4", True)
    bodies = {number: review_table_row(movie, [review], number, 3) for number in (1, 2, 3)}
    for number, body in bodies.items():
        httpserver.expect_request(
            "/m/paged/reviews/", query_string=f"page={number}&sort="
        ).respond_with_data(body, content_type="text/html")
    report = crawl(
        [httpserver.url_for("/m/paged/reviews/") + "?page=1&sort="],
        tmp_path,
        keep_in_a_process=True,
    )
    stored = {o.url.rsplit("page=", 1)[1][0]: read_body(o.page) for o in report.outcomes}
    assert stored == {str(number): body.encode() for number, body in bodies.items()}
    assert all(Path(o.body_path).parent.parent == tmp_path / "store" for o in report.outcomes)


@pytest.mark.parametrize("keep_in_a_process", [False, True], ids=["thread", "process"])
def test_a_page_that_cannot_be_stored_is_a_failed_outcome_and_the_crawl_goes_on(
    httpserver: HTTPServer, tmp_path, keep_in_a_process
):
    httpserver.expect_request("/a").respond_with_data(PAGE, content_type="text/plain")
    httpserver.expect_request("/b").respond_with_data(PAGE + b" ", content_type="text/plain")
    blocked = tmp_path / "store"
    blocked.write_text("a file where the store's folder should be")
    report = crawl(
        [httpserver.url_for("/a"), httpserver.url_for("/b")],
        tmp_path,
        keep_in_a_process=keep_in_a_process,
        store=PageStore(blocked),
    )
    assert len(report.outcomes) == 2
    for outcome in report.outcomes:
        assert outcome.status == 200
        assert outcome.page is None
        assert outcome.error.startswith("could not store the page: NotADirectoryError: ")


def test_a_304_follows_the_links_recorded_last_time_without_reading_the_body(
    httpserver: HTTPServer, tmp_path
):
    movie = Movie("Paged", "paged", 2016)
    review = Review("A B", "Paper", "Fine.", __import__("datetime").date(2016, 1, 2), "3/4", True)

    def handler(request: Request) -> Response:
        number = int(request.args["page"])
        if request.headers.get("If-None-Match") == f'"v{number}"':
            return Response(status=304, headers={"ETag": f'"v{number}"'})
        body = review_table_row(movie, [review], number, 2)
        return Response(body, content_type="text/html", headers={"ETag": f'"v{number}"'})

    httpserver.expect_request("/m/paged/reviews/").respond_with_handler(handler)
    seed = httpserver.url_for("/m/paged/reviews/") + "?page=1&sort="
    first = {o.url: o for o in crawl([seed], tmp_path).outcomes}
    assert len(first) == 2
    assert [link.rsplit("page=", 1)[1] for link in first[seed].links] == ["2&sort="]
    known = {
        url: KnownPage(o.content_hash, o.body_path, o.etag, None, o.links)
        for url, o in first.items()
    }
    for outcome in first.values():
        Path(outcome.body_path).unlink()  # the links must come from what was recorded
    second = crawl([seed], tmp_path, known=known).outcomes
    assert sorted((o.url, o.status, o.unchanged) for o in second) == sorted(
        (url, 304, True) for url in first
    )


def test_pagination_stops_at_max_pages(httpserver: HTTPServer, tmp_path):
    movie = Movie("Long", "long", 2016)
    review = Review("A B", "Paper", "Fine.", __import__("datetime").date(2016, 1, 2), "3/4", True)
    httpserver.expect_request("/m/long/reviews/").respond_with_data(
        review_table_row(movie, [review], 1, 40), content_type="text/html"
    )
    report = crawl([httpserver.url_for("/m/long/reviews/") + "?page=1"], tmp_path, max_pages=5)
    assert len(report.outcomes) == 5


@pytest.mark.parametrize(("concurrency", "expected_max"), [(1, 1), (4, 4)])
def test_per_host_concurrency_is_respected(tmp_path, concurrency, expected_max):
    in_flight = {"now": 0, "max": 0}

    def counting(connection, hit):
        in_flight["now"] += 1
        in_flight["max"] = max(in_flight["max"], in_flight["now"])
        time.sleep(0.1)
        in_flight["now"] -= 1
        ok(PAGE, "text/plain")(connection, hit)

    with raw_server({f"/{n}": counting for n in range(8)}) as (base, _hits):
        report = crawl(
            [f"{base}/{n}" for n in range(8)], tmp_path, per_host_concurrency=concurrency
        )
    assert all(o.error is None for o in report.outcomes)
    assert in_flight["max"] == expected_max
