"""Ingesting from a real local web server, then again (conditional requests), then reprocessing."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bench.render import Movie, Review, review_table_row
from flows.options import RunOptions
from flows.reprocess import reprocess_pages
from tests.flows.test_ingest import ingest
from tests.helpers import table
from warehouse.publish import reading

pytestmark = pytest.mark.usefixtures("prefect_harness")

MOVIE = Movie("Paged Film", "paged_film", 2016)
LOCAL = {"allow_hosts": ["127.0.0.1"], "min_delay_s": 0.0, "autothrottle": False}


def reviews_on(page: int) -> list[Review]:
    return [
        Review(
            f"Critic {page}{n}",
            f"Paper {n}",
            f"Review {n} on page {page}.",
            date(2016, 3, page + n),
            f"{n}/4",
            n > 1,
        )
        for n in (1, 2, 3)
    ]


def serve(httpserver: HTTPServer) -> str:
    pages = {
        str(number): review_table_row(MOVIE, reviews_on(number), number, 3).encode()
        for number in (1, 2, 3)
    }

    def handler(request: Request) -> Response:
        body = pages[request.args.get("page", "1")]
        etag = '"' + hashlib.md5(body).hexdigest() + '"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, content_type="text/html; charset=utf-8", headers={"ETag": etag})

    httpserver.expect_request("/m/paged_film/reviews/").respond_with_handler(handler)
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/nothing").respond_with_data("gone", status=404)
    httpserver.expect_request("/odd").respond_with_data(
        "<html><p>hi</p></html>", content_type="text/html"
    )
    return httpserver.url_for("/m/paged_film/reviews/") + "?page=1&sort="


def test_fetch_paginate_quarantine_then_304_then_reprocess(httpserver, warehouse_path):
    seed = serve(httpserver)
    sources = [seed, httpserver.url_for("/nothing"), httpserver.url_for("/odd")]

    first = ingest(sources, warehouse_path, **LOCAL)
    assert first.status == "completed"
    assert (first.pages_read, first.pages_failed, first.reviews_loaded) == (5, 2, 9)
    with reading(warehouse_path) as con:
        problems = dict(table(con, "SELECT stage, reason FROM quarantine ORDER BY stage"))
        pages = table(
            con,
            "SELECT url, http_status, layout, reviews_parsed, etag IS NOT NULL, source_kind "
            "FROM pages ORDER BY url",
        )
        stored = table(con, "SELECT DISTINCT body_path FROM pages")
        links = table(con, "SELECT url, links FROM pages WHERE layout IS NOT NULL ORDER BY url")
    assert problems == {
        "fetch": "HTTP 404",
        "parse": "page in no known layout (tried rt_api, rt_json_feed, review_row, "
        "review_table_row, rt_review_card, rt_movie_page, schema_org, legacy_text)",
    }
    assert [row[1:] for row in pages] == [
        (200, "review_table_row", 3, True, "web"),
        (200, "review_table_row", 3, True, "web"),
        (200, "review_table_row", 3, True, "web"),
        (200, None, 0, False, "web"),
    ]
    assert all(path.endswith(".zst") for (path,) in stored)
    # each page records its links to the other pages, for re-runs that get a 304
    assert {url[-7:-6]: sorted(link[-7:-6] for link in found) for url, found in links} == {
        "1": ["2", "3"],
        "2": ["1", "3"],
        "3": ["1", "2"],
    }

    requests_before = len(httpserver.log)
    second = ingest(sources, warehouse_path, **LOCAL)
    conditional = [r for r, _ in httpserver.log[requests_before:] if r.headers.get("If-None-Match")]
    assert len(conditional) == 3
    assert (second.pages_skipped, second.reviews_loaded) == (4, 0)
    assert second.status == "completed"

    state = reprocess_pages(
        layout="review_table_row",
        options=RunOptions(warehouse=str(warehouse_path)),
        return_state=True,
    )
    again = state.result()
    assert (again.pages_read, again.reviews_new, again.reviews_unchanged) == (3, 0, 9)
    with reading(warehouse_path) as con:
        assert table(con, "SELECT count(*) FROM reviews")[0][0] == 9
        assert table(con, "SELECT count(*) FROM etl_runs WHERE status = 'completed'")[0][0] == 3
