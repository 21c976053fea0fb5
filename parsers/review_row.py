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
from parsers.html import attribute, node_text, page_movie, parse_html, region, search_near
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
        rows = tree.css('div.review-row, div[data-qa="review-item"]')
        reviews = [_row(row, url) for row in dict.fromkeys(rows)]
        if not reviews:
            raise ParseError("no div.review-row items on the page", layout=self.layout)
        for review in reviews:
            review.update(movie_title=title, movie_year=year, movie_slug=slug)
        return ParsedPage(layout=self.layout, reviews=reviews, next_urls=self.links(text, url))


def _row(row: LexborNode, page_url: str) -> RawReview:
    icon = row.css_first("score-icon-critic, score-icon-critic-deprecated")
    critic = row.css_first('a.display-name, a[data-qa="review-critic-link"]')
    publication = row.css_first('a.publication, [data-qa="review-publication"]')
    line = row.css_first('p.original-score-and-url, [data-qa="review-original-score"]')
    score, date = _score_and_date(node_text(line))
    date_node = row.css_first('[data-qa="review-date"]')
    full_review = row.css_first('a[data-qa="full-review-link"]') or (
        line.css_first("a") if line else None
    )
    return RawReview(
        critic_name=node_text(critic),
        critic_url=absolute(page_url, attribute(critic, "href")),
        publication=node_text(publication),
        publication_url=absolute(page_url, attribute(publication, "href")),
        is_top_critic=_is_top_critic(row),
        sentiment=attribute(icon, "state") or attribute(icon, "sentiment"),
        score_raw=score,
        date_raw=node_text(date_node) or date,
        quote_raw=node_text(row.css_first('p.review-text, [data-qa="review-quote"]')),
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


def _is_top_critic(row: LexborNode) -> bool:
    if row.css_first('rt-icon-top-critic, [data-qa="top-critic-icon"], .top-critic'):
        return True
    icon = row.css_first("score-icon-critic, score-icon-critic-deprecated")
    return attribute(icon, "istopcritic") == "true" or attribute(icon, "top-critic") == "true"
