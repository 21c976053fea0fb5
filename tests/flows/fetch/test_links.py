"""The link finder the run hands the crawler (`parsers.FeedLinks`, a `flows.fetch.PageLinks`),
and the doctests of the fetch stage's modules."""

from __future__ import annotations

import doctest
import importlib
import pickle
from datetime import date

import pytest

from bench.render import Movie, Review, review_table_row
from flows.fetch import PageLinks
from parsers import FeedLinks

API = "https://www.rottentomatoes.com/napi/rtcf/v1/movies/abc/reviews?after=x"
PAGE = "https://www.rottentomatoes.com/m/x/reviews"


def test_the_finder_survives_the_trip_to_a_worker_process():
    finder: PageLinks = FeedLinks(frozenset({"r1", "r2"}), full_refresh=True)
    assert pickle.loads(pickle.dumps(finder)) == finder


def test_an_unchanged_api_page_ends_an_incremental_run_not_a_full_refresh():
    assert not FeedLinks().follow_unchanged(API)
    assert FeedLinks().follow_unchanged(PAGE)
    assert FeedLinks(full_refresh=True).follow_unchanged(API)


def test_a_body_that_is_no_text_has_no_links():
    assert FeedLinks().links(b"\x00\x01\x02binary", PAGE, "application/octet-stream") == ()


def test_a_page_s_links_are_found_from_its_bytes():
    movie = Movie("Paged", "paged", 2016)
    review = Review("A B", "Paper", "Fine.", date(2016, 1, 2), "3/4", True)
    body = review_table_row(movie, [review], 1, 3).encode()
    url = "https://example.org/m/paged/reviews/?page=1&sort="
    found = FeedLinks().links(body, url, "text/html; charset=utf-8")
    assert sorted(link.rsplit("page=", 1)[1] for link in found) == ["2&sort=", "3&sort="]


DOCUMENTED = (
    "flows.fetch._client",
    "flows.fetch.guard",
    "flows.fetch.retry",
    "flows.fetch.robots",
    "flows.fetch.urls",
    "parsers.links",
)


@pytest.mark.parametrize("module", DOCUMENTED)
def test_doctests(module):
    assert doctest.testmod(importlib.import_module(module)).failed == 0
