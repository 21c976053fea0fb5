"""Small helpers shared by the HTML and JSON-LD parsers."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import pairwise
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

_TITLE_SUFFIXES = re.compile(
    r"\s*(?:[-|–]\s*)?(?:Movie Reviews\s*(?:[-|–]\s*)?)?Rotten Tomatoes\s*$", re.IGNORECASE
)
_TRAILING_REVIEWS = re.compile(r"\s+(?:Critic\s+)?Reviews$", re.IGNORECASE)
_YEAR_SUFFIX = re.compile(r"^(?P<title>.*\S)\s*\((?P<year>(?:18|19|20)\d{2})\)$")
_SPACES = re.compile(r"\s+")


_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_OG_TITLE = re.compile(
    r"<meta[^>]+property=[\"']og:title[\"'][^>]+content=[\"']([^\"']*)[\"']", re.IGNORECASE
)
_JSON_LD_OPEN = re.compile(r"<script[^>]+type=[\"']application/ld\+json[\"'][^>]*>", re.IGNORECASE)
_SCRIPT_CLOSE = re.compile(r"</script\s*>", re.IGNORECASE)
ROW_MARGIN = 32_768  # room for the last review after its marker


def parse_html(text: str) -> LexborHTMLParser:
    return LexborHTMLParser(text)


def search_near(
    pattern: re.Pattern[str], text: str, anchor: str, before: int = 300, after: int = 300
) -> re.Match[str] | None:
    """`pattern.search` in the window around the first `anchor`, else nowhere.

    A regex over a 500 KB page costs more than the rest of the parse; a plain substring
    search finds where to look.
    """
    at = text.find(anchor)
    if at < 0:
        return None
    return pattern.search(text, max(0, at - before), at + len(anchor) + after)


def region(text: str, marker: str, margin: int = ROW_MARGIN) -> str:
    """The stretch of a page holding every element marked by `marker`, with `margin`
    characters after the last one.

    Review pages wrap a few kilobytes of reviews in hundreds of kilobytes of navigation,
    scripts and footers; building the DOM of the reviews alone is what makes parsing fast.
    HTML parsers take such a fragment in their stride: what matters is that it starts at
    the tag of the first marked element.
    """
    first = text.find(marker)
    if first < 0:
        return ""
    positions = [first]
    while (following := text.find(marker, positions[-1] + 1)) >= 0:
        positions.append(following)
    if len(positions) > 1:
        # The last element is about as long as the longest gap between two markers.
        widest = max(b - a for a, b in pairwise(positions))
        margin = min(margin, max(4096, 2 * widest))
    start = text.rfind("<", 0, first)
    return text[max(start, 0) : positions[-1] + margin]


def first_in_rows(
    tree: LexborHTMLParser | LexborNode, rows: list[LexborNode], selectors: dict[str, str]
) -> list[dict[str, LexborNode]]:
    """For every row, the first node inside it matching each selector (by name), as
    `row.css_first(selector)` would find it.

    One query per selector over the whole tree, each match handed to the row it sits in:
    asking every row separately compiles and runs each selector once per row, which cost
    more than building the DOM.
    """
    row_of = {row.mem_id: number for number, row in enumerate(rows)}
    found: list[dict[str, LexborNode]] = [{} for _ in rows]
    for name, selector in selectors.items():
        for node in tree.css(selector):
            owner: LexborNode | None = node  # as css_first, a row may match itself
            while owner is not None and owner.mem_id not in row_of:
                owner = owner.parent
            if owner is not None:
                found[row_of[owner.mem_id]].setdefault(name, node)
    return found


def node_text(node: LexborNode | None) -> str | None:
    """All text under `node`, whitespace collapsed; None when there is none."""
    if node is None:
        return None
    text = " ".join(node.text(deep=True, separator=" ").split())
    return text or None


def attribute(node: LexborNode | None, name: str) -> str | None:
    if node is None:
        return None
    value = node.attrs.get(name)  # one lookup; `attributes` builds a dict of them all
    return value.strip() if value and value.strip() else None


def movie_from_title(title: str | None) -> tuple[str | None, int | None]:
    """`The Departed (2006) - Rotten Tomatoes` -> ("The Departed", 2006)."""
    if not title:
        return None, None
    cleaned = _TRAILING_REVIEWS.sub("", _TITLE_SUFFIXES.sub("", title.strip())).strip()
    if match := _YEAR_SUFFIX.match(cleaned):
        return match["title"].strip(), int(match["year"])
    return (cleaned or None), None


def page_movie(text: str) -> tuple[str | None, int | None]:
    """The movie a page is about, from its `<title>` (or `og:title`)."""
    match = search_near(_TITLE, text, "<title", 0, 2000) or search_near(
        _TITLE, text, "<TITLE", 0, 2000
    )
    match = match or _OG_TITLE.search(text)
    title = _SPACES.sub(" ", html.unescape(match.group(1))).strip() if match else None
    return movie_from_title(title)


def load_json(text: str) -> Any:
    """`json.loads` (control characters allowed in strings, as pages write them) that
    raises `ValueError` for every unreadable document, too-deep nesting included.

    The decoder recurses once per level, so JSON nested about a thousand deep raises
    `RecursionError`; any crawled page can be written that way, and to the parsers it is
    just broken JSON.

    >>> load_json("[" * 100_000 + "]" * 100_000)
    Traceback (most recent call last):
    ...
    ValueError: JSON nested too deeply to read
    """
    try:
        return json.loads(text, strict=False)
    except RecursionError:
        raise ValueError("JSON nested too deeply to read") from None


@lru_cache(maxsize=2)
def json_ld(text: str) -> tuple[Any, ...]:
    """Every JSON-LD document on the page that parses; broken blocks are skipped.

    Kept for the page in hand: its parser and its scorecard both read the same documents,
    and decoding a movie page's JSON-LD costs about as much as the rest of its parse. The
    documents are shared, so they are read, never changed.
    """
    documents = []
    for payload in _json_ld_payloads(text):
        if not payload.strip():
            continue
        try:
            documents.append(load_json(payload))
        except ValueError:
            continue
    return tuple(documents)


def _json_ld_payloads(text: str) -> Iterator[str]:
    """The text of every JSON-LD `<script>` block.

    Found by plain substring search where it can be: a regex tried at every tag of a
    500 KB page, or scanning a 25 KB block lazily for its end, cost more than the rest of
    the parse. A page that never writes `ld+json` in lower case gets the regex.
    """
    at = text.find("ld+json")
    search_all = at < 0
    position = 0
    while True:
        if search_all:
            opening = _JSON_LD_OPEN.search(text, position)
        else:
            tag = text.rfind("<", 0, at)
            opening = _JSON_LD_OPEN.match(text, tag) if tag >= 0 else None
        if opening is not None:
            closing = _script_end(text, opening.end())
            if closing is None:
                return
            yield text[opening.end() : closing.start()]
            position = closing.end()
        elif search_all:
            return
        else:
            position = at + 1
        if not search_all and (at := text.find("ld+json", position)) < 0:
            return


def _script_end(text: str, start: int) -> re.Match[str] | None:
    """The first `</script>` (any case) from `start`, tried only where `</` stands."""
    at = text.find("</", start)
    while at >= 0:
        if closing := _SCRIPT_CLOSE.match(text, at):
            return closing
        at = text.find("</", at + 2)
    return None


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
