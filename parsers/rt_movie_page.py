"""Rotten Tomatoes movie pages (about 2018-2021): JSON-LD reviews plus the critics carousel.

The JSON-LD `Movie.review[]` carries critic, publication, date and the fresh/rotten call but
never the original score; the carousel's quote bubbles carry the score in a tooltip
(`title="Original Score: 4/4"`). Each JSON-LD review takes the score of its bubble, matched
by critic link, else by quote. Bubbles with no JSON-LD twin are reviews too.
"""

from __future__ import annotations

import re
from typing import ClassVar

from selectolax.lexbor import LexborNode

from parsers.base import ParsedPage, ParseError
from parsers.html import (
    attribute,
    first_in_rows,
    json_ld,
    node_text,
    page_movie,
    parse_html,
    region,
)
from parsers.records import RawReview
from parsers.schema_org import reviews_in
from parsers.urls import absolute, movie_slug

_SCORE = re.compile(r"Original Score:\s*(.+)", re.IGNORECASE)
_DATE_PART = re.compile(r"^[A-Z][a-z]+\.? \d{1,2}, \d{4}")
_MATCH_KEY = re.compile(r"[^a-z0-9]+")


class RtMoviePageParser:
    layout: ClassVar[str] = "rt_movie_page"

    def looks_like(self, text: str) -> bool:
        return 'data-qa="quote-bubble"' in text or (
            "rottentomatoes.com/m/" in text
            and "application/ld+json" in text
            and '"Movie"' in text
            and '"review"' in text
        )

    def links(self, text: str, url: str) -> tuple[str, ...]:
        return ()  # a single page: nothing to follow

    def parse(self, text: str, url: str) -> ParsedPage:
        title, year = page_movie(text)
        slug = movie_slug(url)
        tree = parse_html(region(text, "quote_bubble"))
        nodes = tree.css('li.quote_bubble[data-qa="quote-bubble"]')
        bubbles = [
            _bubble(node, fields, url)
            for node, fields in zip(nodes, first_in_rows(tree, nodes, _FIELDS), strict=True)
        ]
        reviews = reviews_in(json_ld(text), url)
        unmatched = list(bubbles)
        for review in reviews:
            bubble = _twin(review, unmatched)
            if bubble is not None:
                unmatched.remove(bubble)
                review["score_raw"] = bubble.get("score_raw")
                review["is_top_critic"] = bubble.get("is_top_critic")
        merged = reviews + unmatched
        if not merged:
            raise ParseError("no JSON-LD reviews and no quote bubbles", layout=self.layout)
        for review in merged:
            review["movie_title"] = review.get("movie_title") or title
            review["movie_year"] = year
            review["movie_slug"] = review.get("movie_slug") or slug
        return ParsedPage(layout=self.layout, reviews=merged)


# What each quote bubble holds.
_FIELDS: dict[str, str] = {
    "icon": "span[title]",
    "critic": 'a[data-qa="quote-bubble-critic-link"]',
    "source": 'a[data-qa="quote-bubble-source-link"]',
    "details": "blockquote div.smaller",
    "top_critic": "rt-icon-top-critic",
    "quote": "blockquote p",
    "review_link": 'a[data-qa="quote-bubble-review-link"]',
}


def _bubble(node: LexborNode, fields: dict[str, LexborNode], page_url: str) -> RawReview:
    icon = fields.get("icon")
    score = _SCORE.search(attribute(icon, "title") or "")
    icon_classes = (attribute(icon, "class") or "").split()
    sentiment = next((word for word in ("fresh", "rotten") if word in icon_classes), None)
    critic = fields.get("critic")
    date = _DATE_PART.match(node_text(fields.get("details")) or "")
    classes = (attribute(node, "class") or "").split()
    return RawReview(
        critic_name=node_text(critic),
        critic_url=absolute(page_url, attribute(critic, "href")),
        publication=node_text(fields.get("source")),
        is_top_critic="top_critic" in classes or "top_critic" in fields,
        sentiment=sentiment,
        score_raw=score.group(1).strip() if score else None,
        date_raw=date.group(0) if date else None,
        quote_raw=node_text(fields.get("quote")),
        review_url=attribute(fields.get("review_link"), "href"),
    )


def _twin(review: RawReview, bubbles: list[RawReview]) -> RawReview | None:
    critic = _critic_vanity(review.get("critic_url"))
    quote = _match_key(review.get("quote_raw"))
    for bubble in bubbles:
        if critic and critic == _critic_vanity(bubble.get("critic_url")):
            return bubble
    for bubble in bubbles:
        if quote and quote == _match_key(bubble.get("quote_raw")):
            return bubble
    return None


def _critic_vanity(url: str | None) -> str | None:
    if not url or "/critic/" not in url:
        return None
    return url.rstrip("/").rsplit("/critic/", 1)[1].lower()


def _match_key(quote: str | None) -> str | None:
    return _MATCH_KEY.sub("", quote.lower())[:80] if quote else None
