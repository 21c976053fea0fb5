"""Small helpers shared by the HTML and JSON-LD parsers."""

from __future__ import annotations

import json
import re
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

_TITLE_SUFFIXES = re.compile(
    r"\s*(?:[-|–]\s*)?(?:Movie Reviews\s*(?:[-|–]\s*)?)?Rotten Tomatoes\s*$", re.IGNORECASE
)
_TRAILING_REVIEWS = re.compile(r"\s+(?:Critic\s+)?Reviews$", re.IGNORECASE)
_YEAR_SUFFIX = re.compile(r"^(?P<title>.*\S)\s*\((?P<year>(?:18|19|20)\d{2})\)$")
_SPACES = re.compile(r"\s+")


def parse_html(text: str) -> LexborHTMLParser:
    return LexborHTMLParser(text)


def node_text(node: LexborNode | None) -> str | None:
    """All text under `node`, whitespace collapsed; None when there is none."""
    if node is None:
        return None
    text = _SPACES.sub(" ", node.text(deep=True, separator=" ")).strip()
    return text or None


def attribute(node: LexborNode | None, name: str) -> str | None:
    if node is None:
        return None
    value = node.attributes.get(name)
    return value.strip() if value and value.strip() else None


def movie_from_title(title: str | None) -> tuple[str | None, int | None]:
    """`The Departed (2006) - Rotten Tomatoes` -> ("The Departed", 2006)."""
    if not title:
        return None, None
    cleaned = _TRAILING_REVIEWS.sub("", _TITLE_SUFFIXES.sub("", title.strip())).strip()
    if match := _YEAR_SUFFIX.match(cleaned):
        return match["title"].strip(), int(match["year"])
    return (cleaned or None), None


def page_movie(tree: LexborHTMLParser) -> tuple[str | None, int | None]:
    """The movie a page is about, from its `<title>` (or `og:title`)."""
    title = node_text(tree.css_first("title"))
    if not title:
        title = attribute(tree.css_first('meta[property="og:title"]'), "content")
    return movie_from_title(title)


def json_ld(tree: LexborHTMLParser) -> list[Any]:
    """Every JSON-LD document on the page that parses; broken blocks are skipped."""
    documents = []
    for script in tree.css('script[type="application/ld+json"]'):
        payload = script.text(deep=True).strip()
        if not payload:
            continue
        try:
            documents.append(json.loads(payload, strict=False))
        except ValueError:
            continue
    return documents


def as_text(value: Any) -> str | None:
    """A JSON value as trimmed text: numbers become strings, blanks and objects None."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return str(value).lower()
    text = str(value).strip()
    return text or None


def first_of(mapping: dict[str, Any], *keys: str) -> Any:
    """The first of `keys` present with a non-empty value."""
    for key in keys:
        value = mapping.get(key)
        if value not in (None, "", [], {}):
            return value
    return None
