"""Fuzzing: random bytes, mangled real pages and hostile JSON never crash a parser; failures
are recorded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.pages import file_page
from flows.stages import parse_pages
from parsers import PARSERS, ParsedPage, ParseError, decode_body, page_links, parse_page
from tests.parsers.golden import CASES, case_files

PAGES = [page.read_bytes() for page in case_files()]
API_URL = "https://www.rottentomatoes.com/napi/rtcf/v1/movies/0f0e-1d2c/reviews?after=MjA%3D"
URLS = st.sampled_from(
    [
        "file:///x.html",
        "https://www.rottentomatoes.com/m/x/reviews?page=2",
        API_URL,
        "not a url",
        "",
    ]
)


def parse_everywhere(text: str, url: str) -> None:
    """Every parser, not only the detected one, must return a page or raise ParseError."""
    for parser in PARSERS:
        result = outcome(parser.parse, text, url)
        if isinstance(result, ParseError):
            assert result.layout == parser.layout
            assert str(result)
        else:
            assert isinstance(result, ParsedPage)
            assert all(isinstance(review, dict) for review in result.reviews)
    assert isinstance(outcome(parse_page, text, url), ParsedPage | ParseError)
    links = page_links(text, url, known_reviews=frozenset({"1"}))
    assert isinstance(links, tuple)
    assert all(isinstance(link, str) for link in links)


def outcome(parse, text: str, url: str) -> ParsedPage | ParseError:
    """The parsed page or the ParseError; any other exception fails the test."""
    try:
        return parse(text, url)
    except ParseError as error:
        return error


@st.composite
def mangled(draw) -> bytes:
    page = bytearray(draw(st.sampled_from(PAGES)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if not page:
            break
        start = draw(st.integers(min_value=0, max_value=len(page) - 1))
        end = draw(st.integers(min_value=start, max_value=min(len(page), start + 2000)))
        action = draw(st.sampled_from(["cut", "delete", "insert", "duplicate"]))
        if action == "cut":
            del page[start:]
        elif action == "delete":
            del page[start:end]
        elif action == "insert":
            page[start:start] = draw(st.binary(max_size=64))
        else:
            page[start:start] = page[start:end]
    return bytes(page)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096), URLS)
def test_random_bytes_never_crash(body, url):
    try:
        text = decode_body(body)
    except ParseError:
        return
    parse_everywhere(text, url)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled(), URLS)
def test_mangled_real_pages_never_crash(body, url):
    try:
        text = decode_body(body)
    except ParseError:
        return
    parse_everywhere(text, url)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.one_of(mangled(), st.binary(max_size=512)), min_size=1, max_size=6))
def test_every_failed_page_is_recorded_once(tmp_path: Path, bodies):
    pages = []
    for number, body in enumerate(bodies):
        path = tmp_path / f"page-{number}.html"
        path.write_bytes(body)
        pages.append(file_page(path))
    batch = parse_pages(pages, run_id="fuzz")
    assert [outcome.page.url for outcome in batch.pages] == [page.url for page in pages]
    failed = {outcome.page.url for outcome in batch.pages if outcome.error}
    assert set(batch.quarantine["source_url"]) == failed
    assert batch.quarantine.height == len(failed)
    assert batch.quarantine["reason"].str.len_chars().min() or not failed
    assert batch.raw.height == sum(outcome.reviews for outcome in batch.pages)


def nested(depth: int, core: str = '"deep"') -> str:
    """JSON `depth` levels deep: objects and arrays in turn, `core` at the bottom."""
    return '{"a": [' * (depth // 2) + core + "]}" * (depth // 2)


CARD_PAGE = (CASES / "rt_review_card" / "fast_x_reviews_page.html").read_text()
PROPS = re.compile(r'(data-json="props">)(.*?)(</script>)', re.DOTALL)
SCORECARD = re.compile(r'(id="media-scorecard-json".*?>)(.*?)(</script>)', re.DOTALL)


def json_ld_page(document: str) -> str:
    return (
        '<html><head><title>X (2020) - Rotten Tomatoes</title><script type="application/ld+json">'
        f"{document}</script></head><body><a href='https://www.rottentomatoes.com/m/x'>x</a>"
        "</body></html>"
    )


def hostile_pages(depth: int) -> dict[str, tuple[str, str]]:
    """A page of every kind that carries JSON, with `depth`-deep nesting where its JSON is."""
    deep = nested(depth)
    review = '"@type": "Review", "reviewBody": "Fine.", "itemReviewed": {"@type": "Movie"}'
    movie = '{"@context": "https://schema.org", "@type": "Movie", "name": "X", "review": [{'
    return {
        "json_ld_in_html": (json_ld_page(f'{movie}{review}, "x": {deep}}}]}}'), "file:///m.html"),
        "json_ld_graph": (
            json_ld_page('{"@graph": ' * depth + "{" + review + "}" + "}" * depth),
            "https://www.rottentomatoes.com/m/x",
        ),
        "json_ld_document": (f'{{"@context": "https://schema.org", {review}, "x": {deep}}}', ""),
        "rt_json_feed": (f'{{"reviews": [{{"quote": "q", "scoreOri": "3/5", "x": {deep}}}]}}', ""),
        "rt_api": (
            f'{{"reviews": [{{"reviewId": "1", "reviewQuote": "q", "x": {deep}}}],'
            ' "pageInfo": {"hasNextPage": true, "endCursor": "NDA="}}',
            API_URL,
        ),
        "rt_api_pageinfo": (
            f'{{"reviews": [{{"reviewId": "1", "reviewQuote": "q"}}], "pageInfo": {deep}}}',
            API_URL,
        ),
        "props_blob": (PROPS.sub(lambda m: m[1] + deep + m[3], CARD_PAGE), "file:///c.html"),
        "scorecard_blob": (
            SCORECARD.sub(lambda m: m[1] + deep + m[3], CARD_PAGE),
            "https://www.rottentomatoes.com/m/fast_x/reviews",
        ),
    }


@pytest.mark.parametrize("depth", [500, 1_000, 100_000])
@pytest.mark.parametrize("kind", sorted(hostile_pages(4)))
def test_deeply_nested_json_is_a_parse_error_or_a_clean_result(kind: str, depth: int):
    text, url = hostile_pages(depth)[kind]
    parse_everywhere(text, url)


def test_a_deep_json_ld_graph_the_decoder_can_read_still_gives_its_review():
    text, url = hostile_pages(900)["json_ld_graph"]
    (review,) = parse_page(text, url).reviews
    assert review["quote_raw"] == "Fine."


def test_hostile_pages_are_built_as_intended():
    pages = hostile_pages(4)
    assert pages["props_blob"][0].count('{"a": [') == 2
    assert pages["scorecard_blob"][0].count('{"a": [') == 2
    for kind in ("json_ld_document", "rt_json_feed", "rt_api"):
        assert parse_page(*pages[kind]).reviews
