"""Nightly runs over RT's review API fetch only what is new: paging stops at a page that
holds a review the warehouse has, or at an API page unchanged since the last run; a full
refresh walks every page again. A cursor that repeats ends the paging."""

from __future__ import annotations

import hashlib
import json

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from parsers import FeedLinks
from tests.flows.fetch.crawling import crawl, known_from

API = "/napi/rtcf/v1/movies/9c5ab1e4-4bd0-3f2d-8a5b-4d0c7b1d2e3f/reviews"
FIRST = "?pageCount=20&topOnly=false&type=critic&verified=false"
# newest first, three a page: r9 r8 r7 | r6 r5 r4 | r3 r2 r1
PAGES = {None: ("c1", [9, 8, 7]), "c1": ("c2", [6, 5, 4]), "c2": (None, [3, 2, 1])}


def api_page(numbers: list[int], cursor: str | None) -> bytes:
    reviews = [
        {
            "reviewId": f"r{number}",
            "reviewQuote": f"Review number {number} &amp; more.",
            "createDate": f"2026-03-{number:02d}T12:00:00.000Z",
            "scoreSentiment": "POSITIVE",
            "originalScore": "3/4",
            "critic": {"displayName": f"Critic {number}", "vanity": f"critic-{number}"},
            "publication": {"name": "Paper"},
        }
        for number in numbers
    ]
    info = {"hasNextPage": cursor is not None, "endCursor": cursor, "startCursor": "s"}
    return json.dumps({"reviews": reviews, "pageInfo": info}).encode()


def serve_api(httpserver: HTTPServer, pages=PAGES, etags: bool = True) -> str:
    def handler(request: Request) -> Response:
        cursor, numbers = pages[request.args.get("after")]
        body = api_page(numbers, cursor)
        tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if etags and request.headers.get("If-None-Match") == tag:
            return Response(status=304, headers={"ETag": tag})
        headers = {"ETag": tag} if etags else {}
        return Response(body, content_type="application/json", headers=headers)

    httpserver.expect_request(API).respond_with_handler(handler)
    return httpserver.url_for(API) + FIRST


def asked_cursors(httpserver: HTTPServer) -> list[str | None]:
    return [request.args.get("after") for request, _ in httpserver.log]


@pytest.mark.parametrize("keep_in_a_process", [False, True], ids=["thread", "process"])
def test_paging_stops_at_the_first_page_holding_a_known_review(
    httpserver: HTTPServer, tmp_path, keep_in_a_process
):
    seed = serve_api(httpserver)
    finder = FeedLinks(frozenset({"r5", "r1"}))
    report = crawl([seed], tmp_path, link_finder=finder, keep_in_a_process=keep_in_a_process)
    assert asked_cursors(httpserver) == [None, "c1"]  # r5 is on the second page
    assert all(o.error is None and o.page is not None for o in report.outcomes)
    assert {o.seed for o in report.outcomes} == {seed}  # every page knows where it started


def test_a_full_refresh_pages_past_known_reviews(httpserver: HTTPServer, tmp_path):
    seed = serve_api(httpserver)
    finder = FeedLinks(frozenset({"r9"}), full_refresh=True)
    report = crawl([seed], tmp_path, link_finder=finder, full_refresh=True)
    assert asked_cursors(httpserver) == [None, "c1", "c2"]
    assert len(report.outcomes) == 3


@pytest.mark.parametrize("etags", [True, False], ids=["304", "same-bytes"])
def test_an_unchanged_api_page_ends_an_incremental_run(httpserver: HTTPServer, tmp_path, etags):
    seed = serve_api(httpserver, etags=etags)
    first = crawl([seed], tmp_path)
    assert asked_cursors(httpserver) == [None, "c1", "c2"]
    httpserver.clear_log()

    again = crawl([seed], tmp_path, known=known_from(first))
    assert asked_cursors(httpserver) == [None]  # nothing after an unchanged newest page
    (outcome,) = again.outcomes
    assert (outcome.unchanged, outcome.page, outcome.links) == (True, None, ())
    if etags:
        assert outcome.status == 304


def test_a_full_refresh_asks_for_every_page_unconditionally_and_parses_them_again(
    httpserver: HTTPServer, tmp_path
):
    seed = serve_api(httpserver)
    first = crawl([seed], tmp_path)
    httpserver.clear_log()
    again = crawl([seed], tmp_path, known=known_from(first), full_refresh=True)
    assert asked_cursors(httpserver) == [None, "c1", "c2"]
    assert not [r for r, _ in httpserver.log if "If-None-Match" in r.headers]
    assert all(o.status == 200 and o.page is not None for o in again.outcomes)


@pytest.mark.parametrize(
    "pages",
    [
        {None: ("same", [3]), "same": ("same", [2])},  # the answer names its own cursor
        {None: ("c1", [3]), "c1": ("c2", [2]), "c2": ("c1", [1])},  # two cursors in turn
    ],
    ids=["same-cursor", "cursor-cycle"],
)
def test_a_repeating_cursor_ends_the_paging(httpserver: HTTPServer, tmp_path, pages):
    seed = serve_api(httpserver, pages=pages)
    report = crawl([seed], tmp_path, max_pages=50)
    cursors = asked_cursors(httpserver)
    assert len(cursors) == len(set(cursors)) == len(pages)  # each page once, then done
    assert all(o.error is None for o in report.outcomes)
