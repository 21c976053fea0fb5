"""Rotten Tomatoes pages of 2024 on: critic reviews as web-component cards.

One layout for reviews pages (`/m/<slug>/reviews`, `/reviews/all-critics`, ...), movie pages
(`/m/<slug>`, about ten cards) and TV season pages (`/tv/<show>/s01/reviews`). A card is a
`review-card-critic` (2026), `review-card` (2025) or `media-review-card-critic` (2024-25)
whose light-DOM children carry the data, each marked by its `slot` attribute whatever its
tag (`rt-link`, `rt-text`, `span`, `div`). Each card also holds a declarative shadow root,
`<template shadowrootmode>`, whose `<slot>` placeholders and boilerplate are not data.

The HTML may hold 0-20 cards: the site loads the rest (or all) from its review API, so a
page that names its title's `emsId` links to the API's first page on the same host.
"""

from __future__ import annotations

from typing import ClassVar

from selectolax.lexbor import LexborNode

from parsers.base import ParsedPage, ParseError
from parsers.html import attribute, first_in_rows, node_text, parse_html, region
from parsers.records import RawReview
from parsers.scorecard import PROPS_MARKER, PageTitle, page_title_of, scorecard_of
from parsers.urls import absolute, is_web_url, rt_api_url

CARD_TAGS: tuple[str, ...] = ("review-card-critic", "review-card", "media-review-card-critic")
_CARDS = ", ".join(CARD_TAGS)
# Opening tags only: "<review-card" also opens "<review-card-critic".
_MARKERS: tuple[str, ...] = ("<review-card", "<media-review-card-critic")

# What each card holds, by slot; the first match inside the card wins.
_FIELDS: dict[str, str] = {
    "name": "[slot=name]",
    "publication": "[slot=publication]",
    "timestamp": "[slot=timestamp]",
    "rating": "[slot=rating]",
    "rating_text": "[slot=rating] span",
    "sentiment": "score-icon-critics[sentiment]",
    "content": "[slot=review] [slot=content]",
    "review": "[slot=review]",
    "review_link": "[slot=review-link][href]",
}


class RtReviewCardParser:
    layout: ClassVar[str] = "rt_review_card"

    def looks_like(self, text: str) -> bool:
        # "review-card" is in every card tag: one scan of the page when it has none
        if "review-card" in text and any(marker in text for marker in _MARKERS):
            return True
        return PROPS_MARKER in text and '"media"' in text and '"vanity"' in text

    def links(self, text: str, url: str) -> tuple[str, ...]:
        return _api_link(page_title_of(text, url), url)

    def parse(self, text: str, url: str) -> ParsedPage:
        title = page_title_of(text, url)
        tree = parse_html(_cards_region(text))
        # Lexbor keeps template content out of the tree already; removing the templates
        # keeps their placeholders out of every field whatever the parser's version does.
        for template in tree.css("template"):
            template.decompose()
        cards = tree.css(_CARDS)
        if not cards and not title.from_props:
            # With a props blob the site loads every review from its API: not an error.
            raise ParseError(
                "no review cards and no props blob naming the title", layout=self.layout
            )
        reviews = [
            _review(card, fields, url)
            for card, fields in zip(cards, first_in_rows(tree, cards, _FIELDS), strict=True)
        ]
        for review in reviews:
            review.update(
                movie_title=title.title,
                movie_year=title.year,
                movie_slug=title.slug,
                movie_ref=title.ref,
            )
        return ParsedPage(
            layout=self.layout,
            reviews=reviews,
            next_urls=_api_link(title, url),
            scorecard=scorecard_of(text, url),
        )


def _cards_region(text: str) -> str:
    """The stretch of the page holding every card (see `parsers.html.region`)."""
    present = [marker for marker in _MARKERS if marker in text]
    if len(present) == 1:
        return region(text, present[0])
    # Both generations of card on one page: "review-card" is in every card's name.
    return region(text, "review-card") if present else ""


def _review(card: LexborNode, fields: dict[str, LexborNode], page_url: str) -> RawReview:
    name, publication = fields.get("name"), fields.get("publication")
    rating_text = node_text(fields.get("rating_text")) or node_text(fields.get("rating"))
    return RawReview(
        critic_name=node_text(name),
        critic_url=absolute(page_url, attribute(name, "href")),
        publication=node_text(publication),
        publication_url=absolute(page_url, attribute(publication, "href")),
        is_top_critic=_is_top_critic(card),
        sentiment=attribute(fields.get("sentiment"), "sentiment"),
        score_raw=rating_text,
        date_raw=node_text(fields.get("timestamp")),
        quote_raw=node_text(fields.get("content")) or node_text(fields.get("review")),
        review_url=absolute(page_url, attribute(fields.get("review_link"), "href")),
    )


def _is_top_critic(card: LexborNode) -> bool:
    """`top-critic` is a boolean attribute: present (bare or with any value but "false")."""
    attributes = card.attrs
    if "top-critic" not in attributes:
        return False
    value = attributes.get("top-critic")
    return (value or "").strip().lower() != "false"


def _api_link(title: PageTitle, url: str) -> tuple[str, ...]:
    """The review API's first page for the title, on the page's host; none without an emsId."""
    if not title.ems_id or not is_web_url(url):
        return ()
    kind = "tv/seasons" if (title.slug or "").startswith("tv/") else "movies"
    return (rt_api_url(url, kind, title.ems_id),)
