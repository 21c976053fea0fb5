"""Fuzzing: random bytes and mangled real pages never crash a parser; failures are recorded."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.pages import file_page
from flows.stages import parse_pages
from parsers import PARSERS, ParsedPage, ParseError, decode_body, parse_page
from tests.parse.golden import case_files

PAGES = [page.read_bytes() for page in case_files()]
URLS = st.sampled_from(
    ["file:///x.html", "https://www.rottentomatoes.com/m/x/reviews?page=2", "not a url", ""]
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
    assert [outcome.url for outcome in batch.pages] == [page.url for page in pages]
    failed = {outcome.url for outcome in batch.pages if outcome.error}
    assert set(batch.quarantine["source_url"]) == failed
    assert batch.quarantine.height == len(failed)
    assert batch.quarantine["reason"].str.len_chars().min() or not failed
    assert batch.raw.height == sum(outcome.reviews for outcome in batch.pages)
