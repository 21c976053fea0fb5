"""Parse layer: page text in, raw review records out. Pure: no I/O, no network.

`parse_page` picks the layout with `detect_layout` (by the page's URL for RT's review API,
else by its content) and hands the page to that layout's parser; whatever goes wrong with
one page comes out as that page's `ParseError`. `page_links` finds a page's next pages
while it is fetched.
"""

from parsers.base import PageParser, ParsedPage, ParseError, UnknownLayoutError
from parsers.decode import decode_body
from parsers.detect import PARSERS, detect_layout, page_links, parse_page
from parsers.links import FeedLinks
from parsers.records import RAW_SCHEMA, RawReview

__all__ = [
    "PARSERS",
    "RAW_SCHEMA",
    "FeedLinks",
    "PageParser",
    "ParseError",
    "ParsedPage",
    "RawReview",
    "UnknownLayoutError",
    "decode_body",
    "detect_layout",
    "page_links",
    "parse_page",
]
