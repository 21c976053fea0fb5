"""Legacy Rotten Tomatoes reviews pages (about 2007-2014), as text or as their HTML.

The page is a run of entries: a date line, a quote that may wrap over several lines, and an
optional `Full Review | Original Score: X` (or `Read More ...`) line. Dates are not in order
and either part of the link line may be missing, so entries are cut at date lines, never by
counting lines.
"""

from __future__ import annotations

import re
from typing import ClassVar

from selectolax.lexbor import LexborHTMLParser

from parsers.base import ParsedPage, ParseError
from parsers.html import movie_from_title
from parsers.records import RawReview
from parsers.urls import absolute, movie_slug, sibling_pages

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# Shape only: "February 30, 2009" is still a date line; transforms judge the value.
_DATE_LINE = re.compile(rf"^{_MONTH}\.?\s+\d{{1,2}},\s+\d{{4}}$", re.IGNORECASE)
_TITLE_LINE = re.compile(r"^(?P<title>.+?)\s+-\s+Movie Reviews\s+-\s+Rotten Tomatoes$", re.I)
_HEADING_LINE = re.compile(r"^(?P<title>.+?)\s+Reviews$")
_PAGE_LINE = re.compile(r"^Page\s+(?P<n>\d+)\s+of\s+(?P<m>\d+)$", re.IGNORECASE)
_PAGE_ANYWHERE = re.compile(r"Page\s+(\d+)\s+of\s+(\d+)", re.IGNORECASE)
_LINK_LINE = re.compile(
    r"^(?:(?:Full Review|Read More)(?:\s*<(?P<url>[^<>\s]+)>)?\s*(?:\|\s*)?)?"
    r"(?:Original Score:\s*(?P<score>.*))?$",
    re.IGNORECASE,
)
_LINK_LABELS = ("full review", "read more")
_MARKER = "Movie Reviews - Rotten Tomatoes"


class LegacyTextParser:
    layout: ClassVar[str] = "legacy_text"

    def looks_like(self, text: str) -> bool:
        head = text[:4096]
        return _MARKER in head or (
            re.search(r"^\s*Page \d+ of \d+\s*$", head, re.M) is not None
            and any(_DATE_LINE.match(line.strip()) for line in head.splitlines())
        )

    def links(self, text: str, url: str) -> tuple[str, ...]:
        match = _PAGE_ANYWHERE.search(text)
        return sibling_pages(url, int(match[1]), int(match[2])) if match else ()

    def parse(self, text: str, url: str) -> ParsedPage:
        lines = _text_lines(text)
        title, year = _movie(lines)
        page_number = page_count = None
        reviews: list[RawReview] = []
        current: RawReview | None = None
        quote_lines: list[str] = []

        def close_entry() -> None:
            if current is not None:
                current["quote_raw"] = " ".join(quote_lines) or None
                reviews.append(current)

        for line in lines:
            if page := _PAGE_LINE.match(line):
                page_number, page_count = int(page["n"]), int(page["m"])
                continue
            if _DATE_LINE.match(line):
                close_entry()
                current = RawReview(
                    movie_title=title, movie_year=year, movie_slug=movie_slug(url), date_raw=line
                )
                quote_lines = []
                continue
            if current is None:
                continue  # header text before the first entry
            link = _LINK_LINE.match(line) if _is_link_line(line) else None
            if link:
                score = (link["score"] or "").strip()
                current["score_raw"] = score or None
                if link["url"]:
                    current["review_url"] = absolute(url, link["url"])
            else:
                quote_lines.append(line)
        close_entry()

        if not reviews:
            raise ParseError("no dated review entries found", layout=self.layout)
        return ParsedPage(
            layout=self.layout,
            reviews=reviews,
            page_number=page_number,
            page_count=page_count,
            next_urls=sibling_pages(url, page_number, page_count),
        )


def _is_link_line(line: str) -> bool:
    lowered = line.lower()
    return lowered.startswith((*_LINK_LABELS, "original score:"))


def _text_lines(text: str) -> list[str]:
    if text.lstrip()[:1] == "<":
        text = _html_to_text(text)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    merged: list[str] = []
    for line in lines:
        if not line:
            continue
        # In the HTML form the link and its score are separate nodes: "Full Review" / "| ...".
        if line.startswith("|") and merged:
            merged[-1] = f"{merged[-1]} {line}"
        else:
            merged.append(line)
    return merged


def _html_to_text(html: str) -> str:
    tree = LexborHTMLParser(html)
    title = tree.css_first("title")
    body = tree.body
    for node in tree.css("script, style, noscript"):
        node.decompose()
    # Keep where "Full Review" points: the text form has no other place for the link.
    for link in tree.css("a[href]"):
        if link.text(strip=True).lower() in _LINK_LABELS:
            link.replace_with(f"{link.text(strip=True)} <{link.attributes.get('href') or ''}>")
    parts = [title.text() if title else "", body.text(separator="\n") if body else ""]
    return "\n".join(parts)


def _movie(lines: list[str]) -> tuple[str | None, int | None]:
    """Title and year from the title line (`Backstage - Movie Reviews - Rotten Tomatoes`),
    else from the heading (`Backstage Reviews`)."""
    for pattern in (_TITLE_LINE, _HEADING_LINE):
        for line in lines[:10]:
            if match := pattern.match(line):
                return movie_from_title(match["title"])
    return None, None
