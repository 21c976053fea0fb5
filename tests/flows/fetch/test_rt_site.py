"""`rt:<slug>` against a local server standing in for Rotten Tomatoes: the reviews page,
then every page of the review API; the next night, the reviews page and one API page."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from flows.sources import resolve_sources
from parsers import FeedLinks
from tests.conftest import FIXTURES
from tests.flows.fetch.crawling import crawl, known_from

CASES = FIXTURES.parent / "parsers" / "cases"
REVIEWS_PAGE = (CASES / "rt_review_card" / "fast_x_reviews_page.html").read_bytes()
API = urlsplit((CASES / "rt_api" / "fast_x_p1.url").read_text().strip()).path
ANSWERS = {
    None: json.loads((CASES / "rt_api" / "fast_x_p1.json").read_text()),
    "MjA=": json.loads((CASES / "rt_api" / "fast_x_p2.json").read_text()),
    "NDA=": json.loads((CASES / "rt_api" / "fast_x_p3.json").read_text()),
}
ROBOTS = (FIXTURES / "rt_robots_2024.txt").read_bytes()


def serve_site(httpserver: HTTPServer, answers: dict) -> None:
    def api(request: Request) -> Response:
        body = json.dumps(answers[request.args.get("after")])
        return Response(body, content_type="application/json; charset=utf-8")

    httpserver.expect_request("/robots.txt").respond_with_data(ROBOTS, content_type="text/plain")
    httpserver.expect_request("/m/fast_x/reviews").respond_with_data(
        REVIEWS_PAGE, content_type="text/html; charset=utf-8"
    )
    httpserver.expect_request(API).respond_with_handler(api)


def asked(httpserver: HTTPServer) -> list[str]:
    return [
        request.path + (f"?after={request.args['after']}" if "after" in request.args else "")
        for request, _ in httpserver.log
        if request.path != "/robots.txt"
    ]


@pytest.fixture
def seed(httpserver: HTTPServer, monkeypatch) -> str:
    monkeypatch.setenv("REVIEWHOUSE_RT_BASE_URL", httpserver.url_for("/"))
    (url,) = resolve_sources(["rt:fast_x"]).urls
    assert url == httpserver.url_for("/m/fast_x/reviews")
    return url


def test_rt_slug_leads_to_the_reviews_page_and_every_api_page(
    httpserver: HTTPServer, tmp_path, seed
):
    serve_site(httpserver, ANSWERS)
    report = crawl([seed], tmp_path, respect_robots=True)
    assert asked(httpserver) == ["/m/fast_x/reviews", API, f"{API}?after=MjA=", f"{API}?after=NDA="]
    assert all(o.error is None and o.page is not None for o in report.outcomes)
    assert {o.seed for o in report.outcomes} == {seed}


def test_the_next_night_costs_the_reviews_page_and_one_api_page(
    httpserver: HTTPServer, tmp_path, seed
):
    serve_site(httpserver, ANSWERS)
    first = crawl([seed], tmp_path)
    loaded = frozenset(
        review["reviewId"] for answer in ANSWERS.values() for review in answer["reviews"]
    )
    assert len(loaded) == 47
    newest = ANSWERS[None]
    fresh = [
        {**newest["reviews"][0], "reviewId": f"new-{n}", "reviewQuote": f"New {n}."} for n in (1, 2)
    ]
    tonight = {**ANSWERS, None: {**newest, "reviews": fresh + newest["reviews"][:18]}}
    httpserver.clear()
    serve_site(httpserver, tonight)

    report = crawl([seed], tmp_path, known=known_from(first), link_finder=FeedLinks(loaded))
    assert asked(httpserver) == ["/m/fast_x/reviews", API]
    pages = {urlsplit(o.url).path: o for o in report.outcomes}
    assert pages["/m/fast_x/reviews"].unchanged
    assert pages[API].page is not None  # two new reviews to parse
