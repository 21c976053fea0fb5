"""Rotten Tomatoes reviews pages of about 2020-2023: `div.review-row[data-qa=review-item]`.

The line under each quote reads "Full Review | Original Score: 3/5 | Mar 18, 2022", but the
score part is missing when the critic gave none, so it is split by label, never by position.
"""

from __future__ import annotations

import html
import re
from typing import ClassVar

from selectolax.lexbor import LexborNode

from parsers.base import ParsedPage, ParseError
from parsers.html import (
    attribute,
    first_in_rows,
    node_text,
    page_movie,
    parse_html,
    region,
    search_near,
)
from parsers.records import RawReview
from parsers.urls import absolute, movie_slug

_SCORE_LABEL = re.compile(r"^Original Score:\s*(.*)$", re.IGNORECASE)
_DATE = re.compile(r"^[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}$")
_NEXT_LINK = re.compile(r"<a[^>]+rel=\"next\"[^>]*href=\"([^\"]+)\"", re.IGNORECASE)


class ReviewRowParser:
    layout: ClassVar[str] = "review_row"

    def looks_like(self, text: str) -> bool:
        return 'data-qa="review-item"' in text or 'class="review-row"' in text

    def links(self, text: str, url: str) -> tuple[str, ...]:
        match = search_near(_NEXT_LINK, text, 'rel="next"', 400, 400)
        link = absolute(url, html.unescape(match[1])) if match else None
        return (link,) if link else ()

    def parse(self, text: str, url: str) -> ParsedPage:
        marker = 'data-qa="review-item"' if 'data-qa="review-item"' in text else 'class="review-row'
        tree = parse_html(region(text, marker))
        title, year = page_movie(text)
        slug = movie_slug(url)
        rows = list(dict.fromkeys(tree.css('div.review-row, div[data-qa="review-item"]')))
        reviews = [_review(fields, url) for fields in first_in_rows(tree, rows, _FIELDS)]
        if not reviews:
            raise ParseError("no div.review-row items on the page", layout=self.layout)
        for review in reviews:
            review.update(movie_title=title, movie_year=year, movie_slug=slug)
        return ParsedPage(layout=self.layout, reviews=reviews, next_urls=self.links(text, url))


_ICON = "score-icon-critic, score-icon-critic-deprecated"
# What each review row holds, by the selectors RT used over the years.
_FIELDS: dict[str, str] = {
    "icon": _ICON,
    "critic": 'a.display-name, a[data-qa="review-critic-link"]',
    "publication": 'a.publication, [data-qa="review-publication"]',
    "line": 'p.original-score-and-url, [data-qa="review-original-score"]',
    "line_link": 'p.original-score-and-url a, [data-qa="review-original-score"] a',
    "date": '[data-qa="review-date"]',
    "full_review": 'a[data-qa="full-review-link"]',
    "quote": 'p.review-text, [data-qa="review-quote"]',
    "top_critic": 'rt-icon-top-critic, [data-qa="top-critic-icon"], .top-critic',
}


def _review(row: dict[str, LexborNode], page_url: str) -> RawReview:
    icon, critic, publication = row.get("icon"), row.get("critic"), row.get("publication")
    score, date = _score_and_date(node_text(row.get("line")))
    full_review = row.get("full_review") or row.get("line_link")
    return RawReview(
        critic_name=node_text(critic),
        critic_url=absolute(page_url, attribute(critic, "href")),
        publication=node_text(publication),
        publication_url=absolute(page_url, attribute(publication, "href")),
        is_top_critic=_is_top_critic(row),
        sentiment=attribute(icon, "state") or attribute(icon, "sentiment"),
        score_raw=score,
        date_raw=node_text(row.get("date")) or date,
        quote_raw=node_text(row.get("quote")),
        review_url=absolute(page_url, attribute(full_review, "href")),
    )


def _score_and_date(line: str | None) -> tuple[str | None, str | None]:
    score = date = None
    for part in (piece.strip() for piece in (line or "").split("|")):
        if match := _SCORE_LABEL.match(part):
            score = match.group(1).strip() or None
        elif _DATE.match(part):
            date = part
    return score, date


def _is_top_critic(row: dict[str, LexborNode]) -> bool:
    if "top_critic" in row:
        return True
    icon = row.get("icon")
    return attribute(icon, "istopcritic") == "true" or attribute(icon, "top-critic") == "true"
