"""Rotten Tomatoes' JSON review API, 2024 on (what a reviews page's "Load More" asks for).

`/napi/rtcf/v1/{movies|tv/seasons|tv/episodes}/<emsId>/reviews?after=<cursor>&pageCount=20&…`
(and in 2024-25 `/cnapi/…`, same fields) answers, newest review first:

    {"reviews": [{"reviewId", "scoreSentiment", "originalScore", "isTopReview",
                  "publicationReviewUrl", "createDate", "reviewQuote",
                  "critic": {"displayName", "vanity", "isTopCritic", "rottenTomatoesUrl",
                             "tomatometerApproved"},
                  "publication": {"name", "isTopPublication"}}],
     "pageInfo": {"hasNextPage", "endCursor", "startCursor", "hasPreviousPage"}}

The answer names no slug and no title: a review's movie is `rt-ems:<emsId>` from the URL.
The next page is the same URL with `after=<endCursor>` while `hasNextPage`. A quote is kept
as written, HTML entities included (transforms decode them).
"""

from __future__ import annotations

from typing import Any, ClassVar

from parsers.base import ParsedPage, ParseError
from parsers.html import as_text, load_json
from parsers.rt_feed import feed_review, next_page


class RtApiParser:
    layout: ClassVar[str] = "rt_api"

    def looks_like(self, text: str) -> bool:
        return (
            text.lstrip()[:1] == "{"
            and '"reviews"' in text
            and '"reviewId"' in text
            and '"reviewQuote"' in text
        )

    def links(self, text: str, url: str) -> tuple[str, ...]:
        return api_links(text, url)

    def parse(self, text: str, url: str) -> ParsedPage:
        payload = answer(text)
        # A title with no reviews yet is a valid, empty page, not an error.
        reviews = [feed_review(item, None, url) for item in payload["reviews"]]
        return ParsedPage(layout=self.layout, reviews=reviews, next_urls=next_page(payload, url))


def answer(text: str) -> dict[str, Any]:
    """The API's answer as JSON, checked to be its shape; `ParseError` says why it isn't.

    The check is on the whole list, not each review: a review missing a field is a row
    problem for later stages, a list of something else means the API changed or an error
    page came back.
    """
    if text.lstrip()[:1] == "<":
        raise ParseError("the RT API answered with HTML, not JSON", layout=RtApiParser.layout)
    try:
        payload = load_json(text)
    except ValueError as error:
        raise ParseError(f"not valid JSON: {error}", layout=RtApiParser.layout) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("reviews"), list):
        raise ParseError(
            "JSON in a shape the RT API parser doesn't know: no reviews[] list",
            layout=RtApiParser.layout,
        )
    reviews = payload["reviews"]
    if not all(isinstance(item, dict) for item in reviews) or (
        reviews and not any("reviewId" in item for item in reviews)
    ):
        raise ParseError(
            "JSON in a shape the RT API parser doesn't know: its reviews are not objects"
            " with a reviewId",
            layout=RtApiParser.layout,
        )
    return payload


def api_links(
    text: str, url: str, *, known_reviews: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """The page after this one, unless this page lists a review in `known_reviews`.

    The API lists newest first, so every page after the first one that reaches a review
    already loaded holds only loaded reviews: an incremental run stops there. Reads the JSON
    once and builds no records.
    """
    try:
        payload = answer(text)
    except ParseError:
        return ()
    if known_reviews and any(
        as_text(item.get("reviewId")) in known_reviews for item in payload["reviews"]
    ):
        return ()
    return next_page(payload, url)
