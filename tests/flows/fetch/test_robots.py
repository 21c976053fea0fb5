"""robots.txt as sites serve it: read once per host, no rules on a 404, stay out on a 5xx or
no answer, Crawl-delay of our own group first; Rotten Tomatoes' real one obeyed like any
other, and a hostile one read no further than its first 500 KiB, whatever it decompresses
to."""

from __future__ import annotations

import asyncio
import time
import tracemalloc
import zlib

import pytest
from pytest_httpserver import HTTPServer

from flows.fetch import build_client
from flows.fetch.robots import MAX_ROBOTS_BYTES, RobotsCache, RobotsRules, crawl_delay
from flows.fetch.settings import DEFAULT_USER_AGENT
from tests.conftest import FIXTURES
from tests.flows.fetch.crawling import crawl, settings

RT_ROBOTS = (FIXTURES / "rt_robots_2024.txt").read_bytes()
EMS_ID = "9c5ab1e4-4bd0-3f2d-8a5b-4d0c7b1d2e3f"
API = f"/napi/rtcf/v1/movies/{EMS_ID}/reviews?after=Y3Vyc29y&pageCount=20&type=critic"


def rules(base: str, user_agent: str = DEFAULT_USER_AGENT) -> RobotsRules:
    async def read() -> RobotsRules:
        async with build_client(settings()) as client:
            return await RobotsCache(client, user_agent).rules_for(f"{base}/")

    return asyncio.run(read())


def test_the_user_agent_says_what_the_crawler_is_and_where_to_read_about_it():
    product, _, comment = DEFAULT_USER_AGENT.partition(" ")
    assert product.startswith("reviewhouse/")
    assert "crawler" in comment
    assert "+https://" in comment


def test_rotten_tomatoes_real_robots_txt_lets_us_read_reviews_and_the_api_not_search(
    httpserver: HTTPServer, tmp_path
):
    httpserver.expect_request("/robots.txt").respond_with_data(RT_ROBOTS, content_type="text/plain")
    for path in ("/m/the_matrix/reviews", API.split("?")[0], "/tv/the_bear/s01/reviews"):
        httpserver.expect_request(path).respond_with_data("<html></html>", content_type="text/html")
    asked = ["/m/the_matrix/reviews", API, "/tv/the_bear/s01/reviews", "/search?search=matrix"]
    asked.append("/critics/self-submission/form")
    report = crawl([httpserver.url_for(path) for path in asked], tmp_path, respect_robots=True)

    errors = {o.url.split(str(httpserver.port), 1)[1]: o.error for o in report.outcomes}
    assert errors == {
        "/m/the_matrix/reviews": None,
        API: None,
        "/tv/the_bear/s01/reviews": None,
        "/search?search=matrix": "disallowed by robots.txt",
        "/critics/self-submission/form": "disallowed by robots.txt",
    }
    requested = [request for request, _ in httpserver.log]
    assert [r.path for r in requested].count("/robots.txt") == 1
    assert not [r for r in requested if r.path.startswith(("/search", "/critics"))]
    assert {r.headers["User-Agent"] for r in requested} == {DEFAULT_USER_AGENT}


def test_the_crawlers_rt_shuts_out_are_shut_out(httpserver: HTTPServer):
    httpserver.expect_request("/robots.txt").respond_with_data(RT_ROBOTS, content_type="text/plain")
    base = httpserver.url_for("").rstrip("/")
    assert not rules(base, "GPTBot/1.1").allows(f"{base}/m/the_matrix/reviews", "GPTBot/1.1")
    assert rules(base).allows(f"{base}/m/the_matrix/reviews", DEFAULT_USER_AGENT)


def gzip_bomb(head: bytes, zeros: int) -> bytes:
    """`head`, then `zeros` zero bytes, gzipped (built a megabyte at a time)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [packer.compress(head)]
    megabyte = b"\0" * (1 << 20)
    parts += [packer.compress(megabyte) for _ in range(zeros >> 20)]
    return b"".join([*parts, packer.flush()])


def test_a_gzip_bomb_robots_txt_is_read_to_500_kib_in_little_memory_and_time(
    httpserver: HTTPServer,
):
    bomb = gzip_bomb(b"User-agent: *\nDisallow: /private\n", 100 << 20)
    assert len(bomb) < 200_000  # 100 MiB once decompressed
    httpserver.expect_request("/robots.txt").respond_with_data(
        bomb, content_type="text/plain", headers={"Content-Encoding": "gzip"}
    )
    base = httpserver.url_for("").rstrip("/")
    tracemalloc.start()
    started = time.monotonic()
    try:
        found = rules(base)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 3
    assert peak < 16 << 20
    assert not found.allows(f"{base}/private/x", DEFAULT_USER_AGENT)
    assert found.allows(f"{base}/public", DEFAULT_USER_AGENT)


def test_rules_past_the_first_500_kib_are_ignored(httpserver: HTTPServer):
    filler = b"# " + b"x" * 78 + b"\n"
    body = b"User-agent: *\nDisallow: /early\n"
    body += filler * (MAX_ROBOTS_BYTES // len(filler) + 10) + b"Disallow: /late\n"
    assert len(body) > MAX_ROBOTS_BYTES == 500 * 1024
    httpserver.expect_request("/robots.txt").respond_with_data(body, content_type="text/plain")
    base = httpserver.url_for("").rstrip("/")
    found = rules(base)
    assert not found.allows(f"{base}/early", DEFAULT_USER_AGENT)
    assert found.allows(f"{base}/late", DEFAULT_USER_AGENT)


def test_a_robots_txt_that_does_not_decompress_keeps_the_crawler_out(httpserver: HTTPServer):
    httpserver.expect_request("/robots.txt").respond_with_data(
        b"not gzip at all", content_type="text/plain", headers={"Content-Encoding": "gzip"}
    )
    base = httpserver.url_for("").rstrip("/")
    assert not rules(base).allows(f"{base}/m/x/reviews", DEFAULT_USER_AGENT)


def rules_of_each(urls: list[str]) -> list[RobotsRules]:
    """The rules one cache gives for each of `urls`, asked for at once."""

    async def read() -> list[RobotsRules]:
        async with build_client(settings()) as client:
            cache = RobotsCache(client, DEFAULT_USER_AGENT)
            return await asyncio.gather(*(cache.rules_for(url) for url in urls))

    return asyncio.run(read())


def test_robots_txt_is_read_once_per_host(httpserver: HTTPServer):
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private\n", content_type="text/plain"
    )
    port = httpserver.port
    same = [f"http://127.0.0.1:{port}/a", f"http://127.0.0.1:{port}/b?x=1"]
    other = f"http://localhost:{port}/a"  # another host name: its own robots.txt
    found = rules_of_each([*same, *same, other])
    asked = [request.path for request, _ in httpserver.log]
    assert asked == ["/robots.txt", "/robots.txt"]
    assert found[0] is found[1] is found[2] is found[3]
    assert not found[4].allows(f"http://localhost:{port}/private/x", DEFAULT_USER_AGENT)


def test_a_missing_robots_txt_allows_everything(httpserver: HTTPServer):
    httpserver.expect_request("/robots.txt").respond_with_data("not here", status=404)
    base = httpserver.url_for("").rstrip("/")
    found = rules(base)
    assert found.allows(f"{base}/anything", DEFAULT_USER_AGENT)
    assert found.crawl_delay_s is None


def test_a_server_error_or_no_answer_keeps_the_crawler_out(httpserver: HTTPServer):
    httpserver.expect_request("/robots.txt").respond_with_data("oops", status=503)
    base = httpserver.url_for("").rstrip("/")
    assert not rules(base).allows(f"{base}/m/x/reviews", DEFAULT_USER_AGENT)
    nobody = "http://127.0.0.1:9"  # nothing listens on the discard port
    assert not rules(nobody).allows(f"{nobody}/m/x/reviews", DEFAULT_USER_AGENT)


def test_crawl_delay_of_our_own_group_else_everyones_with_decimals(httpserver: HTTPServer):
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nCrawl-delay: 5\n\nUser-agent: reviewhouse\nCrawl-delay: 0.5\n",
        content_type="text/plain",
    )
    base = httpserver.url_for("").rstrip("/")
    assert rules(base).crawl_delay_s == 0.5
    assert rules(base, "otherbot/1.0").crawl_delay_s == 5.0


@pytest.mark.parametrize(
    ("lines", "delay"),
    [
        (["User-agent: *", "Crawl-delay: 2.5"], 2.5),
        (["User-agent: *", "Crawl-delay: soon"], None),  # not a number: no delay
        (["User-agent: a", "User-agent: reviewhouse", "Crawl-delay: 3"], 3.0),  # a shared group
        (["User-agent: other", "Crawl-delay: 3"], None),
        (["User-agent: *", "Disallow: /x", "User-agent: reviewhouse", "Crawl-delay: 1"], 1.0),
    ],
)
def test_crawl_delay_is_read_from_the_matching_group(lines, delay):
    assert crawl_delay(lines, DEFAULT_USER_AGENT) == delay
