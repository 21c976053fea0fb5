from __future__ import annotations

import pytest

from parsers import (
    ParseError,
    UnknownLayoutError,
    decode_body,
    detect_layout,
    page_links,
    parse_page,
)
from parsers.detect import ERROR_MESSAGE_CHARS, _described
from tests.conftest import SEED_PAGE
from tests.parsers.golden import CASES, case_url


def test_seed_is_detected_as_legacy_text():
    assert detect_layout(SEED_PAGE.read_text()).layout == "legacy_text"


@pytest.mark.parametrize(
    "text",
    ["<html><body><p>Hello</p></body></html>", "just some words", '{"not": "reviews"}'],
)
def test_unknown_pages_raise_with_the_layouts_tried(text: str):
    with pytest.raises(UnknownLayoutError, match="no known layout") as raised:
        parse_page(text, "file:///x")
    assert "legacy_text" in str(raised.value)


def test_a_layout_can_be_forced_and_unknown_names_are_refused():
    assert parse_page(SEED_PAGE.read_text(), "file:///s", layout="legacy_text").reviews
    with pytest.raises(UnknownLayoutError, match="unknown layout"):
        parse_page(SEED_PAGE.read_text(), "file:///s", layout="nope")


API_URL = (
    "https://www.rottentomatoes.com/napi/rtcf/v1/movies/8c3b4a02-6f3f-3b8e-9c39-1f8e2d5ad6a1"
    "/reviews?pageCount=20&topOnly=false&type=critic&verified=false"
)


def test_an_rt_api_url_is_given_to_rt_api_whatever_came_back():
    assert detect_layout("<html><body>Access denied</body></html>", API_URL).layout == "rt_api"
    assert detect_layout(SEED_PAGE.read_text(), API_URL).layout == "rt_api"
    # Without the URL the same page goes by its content, as before.
    assert detect_layout(SEED_PAGE.read_text()).layout == "legacy_text"
    assert detect_layout(SEED_PAGE.read_text(), "https://example.org/x").layout == "legacy_text"


def test_an_api_url_answered_with_html_says_so_rather_than_no_known_layout():
    with pytest.raises(ParseError) as raised:
        parse_page("\n  <!DOCTYPE html><html><title>Error</title></html>", API_URL)
    assert "the RT API answered with HTML, not JSON" in str(raised.value)
    assert "no known layout" not in str(raised.value)


def test_an_unexpected_exception_in_a_parser_becomes_that_pages_parse_error():
    # A URL no parser can take apart (an unbalanced IPv6 bracket): the parsers resolve links
    # against it and fail with ValueError, which must not escape parse_page.
    page = CASES / "review_table_row" / "randy_and_the_mob_p1.html"
    text = decode_body(page.read_bytes())
    hostile = "http://[::1/m/randy_and_the_mob/reviews/?page=1"
    with pytest.raises(
        ParseError, match=r"^review_table_row: parser error: ValueError: "
    ) as raised:
        parse_page(text, hostile, layout="review_table_row")
    assert raised.value.layout == "review_table_row"
    with pytest.raises(ParseError, match=r"parser error: ValueError: .*IPv6"):
        parse_page(text, hostile)
    assert page_links(text, hostile) == ()


def test_a_parser_errors_message_is_one_line_and_capped_with_its_length():
    error = ValueError("bad value:\n" + "x" * 5_000)
    described = _described(error)
    assert "\n" not in described
    assert described.startswith("ValueError: bad value: xxx")
    assert described.endswith(f"… ({len('bad value: ' + 'x' * 5_000)} chars)")
    assert len(described) < ERROR_MESSAGE_CHARS + 60
    assert _described(KeyError("reviews")) == "KeyError: 'reviews'"


def test_every_page_gets_the_scorecard_it_states_whatever_its_layout():
    miami = CASES / "schema_org" / "one_night_in_miami_jsonld_2021.json"
    page = parse_page(decode_body(miami.read_bytes()), "file:///miami.json")
    assert page.layout == "schema_org"
    assert page.scorecard is not None
    assert (page.scorecard["tomatometer"], page.scorecard["critic_review_count"]) == ("98", "327")
    api = CASES / "rt_api" / "fast_x_p1.json"
    assert parse_page(api.read_text(), case_url(api)).scorecard is None
