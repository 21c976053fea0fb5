"""Rotten Tomatoes' older JSON review feeds: the 2021-2023 napi shape and per-critic feeds.

2021-2023 (`/napi/movie/<emsId>/criticsReviews/...`): `reviews[]` with `quote`, `scoreOri`,
`scoreSentiment`, `creationDate`, `critic{name, vanity}`, `publication{name}`, `reviewUrl`;
pages on with `direction=next&endCursor=<pageInfo.endCursor>`.
Per-critic feeds use `results[]` with `score` ("fresh"/"rotten") and `media{title, url}`.
Today's API (`reviewId`, `reviewQuote`, `createDate`, ...) is the `rt_api` layout, tried
first; this parser still reads those keys where an older feed mixes them in.
"""

from __future__ import annotations

from typing import Any, ClassVar

from parsers.base import ParsedPage, ParseError
from parsers.html import first_of, load_json
from parsers.rt_feed import feed_review, next_page


class RtJsonFeedParser:
    layout: ClassVar[str] = "rt_json_feed"

    def looks_like(self, text: str) -> bool:
        head = text.lstrip()[:1]
        return (
            head == "{"
            and ('"reviews"' in text or '"results"' in text)
            and ('"quote"' in text or '"reviewQuote"' in text or '"scoreOri"' in text)
        )

    def links(self, text: str, url: str) -> tuple[str, ...]:
        try:
            payload = load_json(text)
        except ValueError:
            return ()
        return next_page(payload, url) if isinstance(payload, dict) else ()

    def parse(self, text: str, url: str) -> ParsedPage:
        try:
            payload = load_json(text)
        except ValueError as error:
            raise ParseError(f"not valid JSON: {error}", layout=self.layout) from None
        if not isinstance(payload, dict):
            raise ParseError("the feed is not a JSON object", layout=self.layout)
        items = first_of(payload, "reviews", "results")
        if not isinstance(items, list):
            raise ParseError("no reviews[] or results[] list", layout=self.layout)
        media: Any = payload.get("media") or payload.get("movie") or {}
        reviews = [feed_review(item, media, url) for item in items if isinstance(item, dict)]
        if not reviews:
            raise ParseError("the feed's review list is empty", layout=self.layout)
        return ParsedPage(layout=self.layout, reviews=reviews, next_urls=next_page(payload, url))
