"""Pick the parser for a page. Most specific layouts are tried first."""

from __future__ import annotations

from dataclasses import replace

from parsers.base import PageParser, ParsedPage, ParseError, UnknownLayoutError, clip
from parsers.legacy_text import LegacyTextParser
from parsers.review_row import ReviewRowParser
from parsers.review_table_row import ReviewTableRowParser
from parsers.rt_api import RtApiParser, api_links
from parsers.rt_json_feed import RtJsonFeedParser
from parsers.rt_movie_page import RtMoviePageParser
from parsers.rt_review_card import RtReviewCardParser
from parsers.schema_org import SchemaOrgParser
from parsers.scorecard import scorecard_of
from parsers.urls import is_rt_api_url

RT_API = RtApiParser()
# Most specific first: a review-row page may also carry JSON-LD, a movie page a legacy title,
# and today's API answer also looks like the older feeds.
PARSERS: tuple[PageParser, ...] = (
    RT_API,
    RtJsonFeedParser(),
    ReviewRowParser(),
    ReviewTableRowParser(),
    # Before the movie page and schema.org: today's movie pages carry JSON-LD reviews too.
    # After the older reviews pages, whose own markers are checked first and never appear
    # on today's pages: most pages are told apart without looking for cards.
    RtReviewCardParser(),
    RtMoviePageParser(),
    SchemaOrgParser(),
    LegacyTextParser(),
)
LAYOUTS: tuple[str, ...] = tuple(parser.layout for parser in PARSERS)
# How much of an unexpected exception's message a quarantine reason quotes.
ERROR_MESSAGE_CHARS = 300


def detect_layout(text: str, url: str | None = None) -> PageParser:
    """The parser whose layout produced `text`, or `UnknownLayoutError`.

    An RT API URL decides alone: whatever came back from it (an HTML error page, JSON of
    another shape) is the API's answer, and the API's parser says what is wrong with it.
    """
    if url and is_rt_api_url(url):
        return RT_API
    for parser in PARSERS:
        if parser.looks_like(text):
            return parser
    raise UnknownLayoutError(f"page in no known layout (tried {', '.join(LAYOUTS)})")


def parse_page(text: str, url: str, *, layout: str | None = None) -> ParsedPage:
    """Parse one page with the detected parser, or with the one named by `layout`, plus
    RT's own scores for the title wherever the page states them (whatever its layout).

    Raises only `ParseError`: any other exception a parser raises on this page (a bug, an
    input nobody foresaw) becomes one, so that one page never stops a run.
    """
    parser: PageParser | None = None
    try:
        parser = _by_layout(layout) if layout else detect_layout(text, url)
        parsed = parser.parse(text, url)
        if parsed.scorecard is None:
            parsed = replace(parsed, scorecard=scorecard_of(text, url))
        return parsed
    except ParseError:
        raise
    except Exception as error:
        raise ParseError(
            f"parser error: {_described(error)}", layout=parser.layout if parser else None
        ) from error


def _by_layout(layout: str) -> PageParser:
    for parser in PARSERS:
        if parser.layout == layout:
            return parser
    raise UnknownLayoutError(f"unknown layout {layout!r} (known: {', '.join(LAYOUTS)})")


def page_links(
    text: str, url: str, *, known_reviews: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """The other pages a page points to (pagination, next cursor); none if unrecognised.

    An RT API page that lists any review in `known_reviews` has no next page: the API lists
    newest first, so every later page holds reviews already loaded.
    """
    try:
        parser = detect_layout(text, url)
        if parser is RT_API:
            return api_links(text, url, known_reviews=known_reviews)
        return parser.links(text, url)
    except Exception:
        # Links are found while a page is fetched; the same page is parsed later, and that
        # parse records what is wrong with it. A page whose links cannot be read has none.
        return ()


def _described(error: Exception) -> str:
    """`Type: message` on one line, the message cut to ERROR_MESSAGE_CHARS with its length."""
    return f"{type(error).__name__}: {clip(str(error), ERROR_MESSAGE_CHARS)}"
