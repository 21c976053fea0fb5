"""Today's RT review API (layout `rt_api`): paging by cursor, the title from the URL, bad
answers quarantined with their URL, and incremental runs that stop at known reviews."""

from __future__ import annotations

import asyncio
import contextlib
import json
import pickle
from functools import partial
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from flows.fetch import Crawler, build_client
from flows.fetch.settings import FetchSettings
from flows.fetch.store import PageStore
from parsers import (
    FeedLinks,
    ParsedPage,
    ParseError,
    UnknownLayoutError,
    decode_body,
    page_links,
    parse_page,
)
from tests.parsers.golden import CASES, case_url

API = "https://www.rottentomatoes.com/napi/rtcf/v1"
QUERY = "pageCount=20&topOnly=false&type=critic&verified=false"
FAST_X = [CASES / "rt_api" / f"fast_x_p{number}.json" for number in (1, 2, 3)]


def parsed(page: Path) -> ParsedPage:
    return parse_page(decode_body(page.read_bytes()), case_url(page))


def answer(reviews: list[dict], *, has_next: bool = False, end: str | None = None) -> str:
    info = {"hasNextPage": has_next, "endCursor": end, "startCursor": None}
    return json.dumps({"reviews": reviews, "pageInfo": info})


def review(review_id: str, quote: str = "Fine.", **fields) -> dict:
    return {
        "reviewId": review_id,
        "scoreSentiment": "POSITIVE",
        "originalScore": None,
        "createDate": "2026-03-01T10:00:00.000Z",
        "reviewQuote": quote,
        "critic": {"displayName": "A Critic", "vanity": "a-critic", "isTopCritic": False},
        "publication": {"name": "A Paper", "isTopPublication": False},
        **fields,
    }


def test_three_pages_chain_by_cursor_and_hold_every_review_once():
    pages = [parsed(page) for page in FAST_X]
    urls = [case_url(page) for page in FAST_X]
    assert urls[0] == f"{API}/movies/8c3b4a02-6f3f-3b8e-9c39-1f8e2d5ad6a1/reviews?{QUERY}"
    assert [page.next_urls for page in pages] == [(urls[1],), (urls[2],), ()]
    assert [len(page.reviews) for page in pages] == [20, 20, 7]
    reviews = [r for page in pages for r in page.reviews]
    assert len({r["source_review_id"] for r in reviews}) == 47
    dates = [r["date_raw"] for r in reviews]
    assert dates == sorted(dates, reverse=True)  # newest first, across pages
    assert {r["movie_ref"] for r in reviews} == {"rt-ems:8c3b4a02-6f3f-3b8e-9c39-1f8e2d5ad6a1"}


@pytest.mark.parametrize(
    ("card_page", "api_page"),
    [
        ("fast_x_reviews_page.html", "fast_x_p1.json"),
        ("luther_tv_season_page.html", "luther_tv_season.json"),
    ],
)
def test_a_card_page_leads_to_the_first_api_page_of_its_title(card_page: str, api_page: str):
    cards = parsed(CASES / "rt_review_card" / card_page)
    assert cards.next_urls == (case_url(CASES / "rt_api" / api_page),)


def test_a_quote_keeps_its_html_entities_as_written():
    quote = "It&#39;s loud &amp; dumb, &quot;fun&quot; anyway"
    (one,) = parse_page(answer([review("7", quote)]), f"{API}/movies/abc-123/reviews").reviews
    assert one["quote_raw"] == quote
    on_disk = [r["quote_raw"] for page in FAST_X for r in parsed(page).reviews]
    assert any("&amp;" in q for q in on_disk)
    assert any("&#39;" in q for q in on_disk)


@pytest.mark.parametrize(
    ("path", "ref"),
    [
        ("movies/9F1E2D3C-AAAA-3BBB-8CCC-0123456789AB", "9f1e2d3c-aaaa-3bbb-8ccc-0123456789ab"),
        ("tv/seasons/5c2d7e10-1b1b-3c3c-9d9d-abcdefabcdef", "5c2d7e10-1b1b-3c3c-9d9d-abcdefabcdef"),
        (
            "tv/episodes/e0e0e0e0-2222-3333-4444-555555555555",
            "e0e0e0e0-2222-3333-4444-555555555555",
        ),
    ],
)
def test_the_title_is_the_ems_id_in_the_url_for_every_kind(path: str, ref: str):
    url = f"http://127.0.0.1:8000/napi/rtcf/v1/{path}/reviews?{QUERY}&after=Mg%3D%3D"
    page = parse_page(answer([review("1")]), url)
    assert page.layout == "rt_api"
    assert [(r["movie_ref"], r["movie_slug"], r["movie_title"]) for r in page.reviews] == [
        (f"rt-ems:{ref}", None, None)
    ]


def test_fields_of_one_review():
    item = review(
        "2901480",
        originalScore="3.5/5",
        scoreSentiment="NEGATIVE",
        publicationReviewUrl="https://paper.example/r/1",
        critic={
            "displayName": "Tom Shone",
            "vanity": "tom-shone",
            "isTopCritic": True,
            "rottenTomatoesUrl": "https://www.rottentomatoes.com/critic/tom-shone",
            "tomatometerApproved": True,
        },
        publication={"name": "Sunday Times (UK)", "isTopPublication": True},
    )
    (one,) = parse_page(answer([item]), f"{API}/movies/abc-123/reviews?{QUERY}").reviews
    assert one == {
        "movie_title": None,
        "movie_slug": None,
        "movie_ref": "rt-ems:abc-123",
        "critic_name": "Tom Shone",
        "critic_url": "https://www.rottentomatoes.com/critic/tom-shone",
        "publication": "Sunday Times (UK)",
        "publication_url": None,
        "is_top_critic": True,
        "sentiment": "NEGATIVE",
        "score_raw": "3.5/5",
        "date_raw": "2026-03-01T10:00:00.000Z",
        "quote_raw": "Fine.",
        "review_url": "https://paper.example/r/1",
        "source_review_id": "2901480",
    }


def test_a_numeric_review_id_and_score_become_text():
    (one,) = parse_page(
        answer([review(123, originalScore=4.75)]), f"{API}/movies/abc-123/reviews"
    ).reviews
    assert (one["source_review_id"], one["score_raw"]) == ("123", "4.75")


def test_a_title_with_no_reviews_yet_is_an_empty_page_not_an_error():
    page = parse_page(answer([]), f"{API}/tv/episodes/abc-123/reviews?{QUERY}")
    assert (page.layout, page.reviews, page.next_urls) == ("rt_api", [], ())


def test_a_cursor_that_repeats_ends_the_paging():
    url = f"{API}/movies/abc-123/reviews?{QUERY}&after=MjA%3D"
    text = answer([review("1")], has_next=True, end="MjA=")
    assert parse_page(text, url).next_urls == ()
    assert page_links(text, url) == ()
    moving = answer([review("1")], has_next=True, end="NDA=")
    assert parse_page(moving, url).next_urls == (url.replace("MjA%3D", "NDA%3D"),)


def test_has_next_page_without_a_cursor_or_not_literally_true_has_no_next_page():
    url = f"{API}/movies/abc-123/reviews?{QUERY}"
    assert parse_page(answer([review("1")], has_next=True), url).next_urls == ()
    text = json.dumps({"reviews": [review("1")], "pageInfo": {"hasNextPage": "false"}})
    assert parse_page(text, url).next_urls == ()


def test_an_html_answer_from_the_api_is_a_parse_error_that_says_so():
    error_page = "<!DOCTYPE html><html><head><title>Access denied</title></head></html>"
    with pytest.raises(ParseError) as raised:
        parse_page(error_page, f"{API}/movies/abc-123/reviews?{QUERY}")
    assert not isinstance(raised.value, UnknownLayoutError)
    assert raised.value.layout == "rt_api"
    assert str(raised.value) == "rt_api: the RT API answered with HTML, not JSON"


@pytest.mark.parametrize(
    "text",
    [
        '{"error": "Unauthorized", "status": 401}',
        "[]",
        '{"reviews": {"reviewId": "1"}}',
        '{"reviews": [1, 2]}',
        '{"reviews": [{"quote": "a 2021 napi review", "scoreOri": "3/5"}]}',
    ],
)
def test_json_the_parser_does_not_know_from_an_api_url_is_a_parse_error(text: str):
    with pytest.raises(ParseError, match="shape the RT API parser doesn't know") as raised:
        parse_page(text, f"{API}/movies/abc-123/reviews?{QUERY}")
    assert raised.value.layout == "rt_api"


def test_broken_json_from_an_api_url_is_a_parse_error():
    with pytest.raises(ParseError, match="not valid JSON") as raised:
        parse_page('{"reviews": [{"reviewId": "1",', f"{API}/movies/abc-123/reviews")
    assert raised.value.layout == "rt_api"


def test_paging_stops_at_the_first_page_holding_a_known_review():
    first, _, last = FAST_X
    text, url = first.read_text(), case_url(first)
    ids_on_first = {r["source_review_id"] for r in parsed(first).reviews}
    ids_on_last = frozenset(r["source_review_id"] for r in parsed(last).reviews)
    following = (case_url(FAST_X[1]),)
    assert page_links(text, url) == following
    assert page_links(text, url, known_reviews=ids_on_last) == following
    assert page_links(text, url, known_reviews=frozenset({"999", sorted(ids_on_first)[0]})) == ()


def test_known_reviews_leave_other_layouts_paging_as_before():
    page = CASES / "review_table_row" / "randy_and_the_mob_p1.html"
    text, url = decode_body(page.read_bytes()), case_url(page)
    assert page_links(text, url, known_reviews=frozenset({"1", "2"})) == page_links(text, url)
    assert page_links(text, url)


def test_page_links_with_known_reviews_survives_pickling():
    first = FAST_X[0]
    known = frozenset(r["source_review_id"] for r in parsed(first).reviews)
    finder = pickle.loads(pickle.dumps(partial(page_links, known_reviews=known)))
    assert finder(first.read_text(), case_url(first)) == ()
    assert finder(FAST_X[1].read_text(), case_url(FAST_X[1])) == (case_url(FAST_X[2]),)


def test_the_crawler_never_asks_for_an_api_page_twice_when_cursors_go_round(
    httpserver: HTTPServer, tmp_path: Path
):
    # Page 1 -> after=A -> after=B, whose answer points back to after=A: a loop of two pages
    # that no single page can see; the crawler's own record of fetched URLs ends it.
    base = "/napi/rtcf/v1/movies/abc-123/reviews"
    cursors = {"": "A", "A": "B", "B": "A"}
    for after, end in cursors.items():
        query = {"after": after} if after else ""
        httpserver.expect_request(base, query_string=query).respond_with_data(
            answer([review(f"r{after}")], has_next=True, end=end),
            content_type="application/json",
        )
    report = crawl([httpserver.url_for(base)], tmp_path)
    asked = [request.query_string.decode() for request, _ in httpserver.log]
    assert sorted(asked) == ["", "after=A", "after=B"]
    assert len(report.outcomes) == 3
    assert all(outcome.error is None for outcome in report.outcomes)


def crawl(urls: list[str], tmp_path: Path):
    async def run():
        config = FetchSettings.unthrottled(
            allow_hosts=frozenset({"127.0.0.1", "localhost"}),
            backoff_base_s=0.01,
            respect_robots=False,
        )
        async with contextlib.AsyncExitStack() as resources:
            client = await resources.enter_async_context(build_client(config))
            crawler = Crawler(
                client, config, PageStore(tmp_path / "store"), known={}, link_finder=FeedLinks()
            )
            return await crawler.run(urls)

    return asyncio.run(run())
