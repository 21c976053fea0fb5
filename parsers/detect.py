"""Pick the parser for a page. Most specific layouts are tried first."""

from __future__ import annotations

from parsers.base import PageParser, ParsedPage, UnknownLayoutError
from parsers.legacy_text import LegacyTextParser
from parsers.review_row import ReviewRowParser
from parsers.review_table_row import ReviewTableRowParser
from parsers.rt_json_feed import RtJsonFeedParser
from parsers.rt_movie_page import RtMoviePageParser
from parsers.rt_review_card import RtReviewCardParser
from parsers.schema_org import SchemaOrgParser

# Most specific first: a review-row page may also carry JSON-LD, a movie page a legacy title.
PARSERS: tuple[PageParser, ...] = (
    RtJsonFeedParser(),
    RtReviewCardParser(),
    ReviewRowParser(),
    ReviewTableRowParser(),
    RtMoviePageParser(),
    SchemaOrgParser(),
    LegacyTextParser(),
)
LAYOUTS: tuple[str, ...] = tuple(parser.layout for parser in PARSERS)


def detect_layout(text: str) -> PageParser:
    """The parser whose layout produced `text`, or `UnknownLayoutError`."""
    for parser in PARSERS:
        if parser.looks_like(text):
            return parser
    raise UnknownLayoutError(f"page in no known layout (tried {', '.join(LAYOUTS)})")


def parse_page(text: str, url: str, *, layout: str | None = None) -> ParsedPage:
    """Parse one page with the detected parser, or with the one named by `layout`."""
    parser = _by_layout(layout) if layout else detect_layout(text)
    return parser.parse(text, url)


def _by_layout(layout: str) -> PageParser:
    for parser in PARSERS:
        if parser.layout == layout:
            return parser
    raise UnknownLayoutError(f"unknown layout {layout!r} (known: {', '.join(LAYOUTS)})")


def page_links(text: str, url: str) -> tuple[str, ...]:
    """The other pages a page points to (pagination, next cursor); none if unrecognised."""
    try:
        return detect_layout(text).links(text, url)
    except UnknownLayoutError:
        return ()
