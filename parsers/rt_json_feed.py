"""Rotten Tomatoes' JSON review feed, 2021-2025 shapes.

2021-2023 (`/napi/movie/<emsId>/criticsReviews/...`): `reviews[]` with `quote`, `scoreOri`,
`scoreSentiment`, `creationDate`, `critic{name, vanity}`, `publication{name}`, `reviewUrl`.
2024-2025 (`/cnapi/...`): `reviewQuote`, `originalScore`, `createDate`,
`critic{displayName, rottenTomatoesUrl, isTopCritic}`, `publicationReviewUrl`.
Per-critic feeds use `results[]` with `score` ("fresh"/"rotten") and `media{title, url}`.
Every shape pages with `pageInfo{hasNextPage, endCursor}`.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from parsers.base import ParsedPage, ParseError
from parsers.html import as_text, first_of
from parsers.records import RawReview
from parsers.urls import absolute, is_web_url, movie_slug, with_query

RT = "https://www.rottentomatoes.com"
_EMS_ID = re.compile(r"/(?:napi|cnapi|api)/(?:movie|media)/([0-9a-f-]{8,})", re.IGNORECASE)


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
            payload = json.loads(text, strict=False)
        except ValueError:
            return ()
        return _next(payload, url) if isinstance(payload, dict) else ()

    def parse(self, text: str, url: str) -> ParsedPage:
        try:
            payload = json.loads(text, strict=False)
        except ValueError as error:
            raise ParseError(f"not valid JSON: {error}", layout=self.layout) from None
        if not isinstance(payload, dict):
            raise ParseError("the feed is not a JSON object", layout=self.layout)
        items = first_of(payload, "reviews", "results")
        if not isinstance(items, list):
            raise ParseError("no reviews[] or results[] list", layout=self.layout)
        media = payload.get("media") or payload.get("movie") or {}
        reviews = [_review(item, media, url) for item in items if isinstance(item, dict)]
        if not reviews:
            raise ParseError("the feed's review list is empty", layout=self.layout)
        return ParsedPage(layout=self.layout, reviews=reviews, next_urls=_next(payload, url))


def _review(item: dict[str, Any], page_media: Any, url: str) -> RawReview:
    critic = item.get("critic") if isinstance(item.get("critic"), dict) else {}
    publication = item.get("publication") if isinstance(item.get("publication"), dict) else {}
    media = item.get("media") if isinstance(item.get("media"), dict) else page_media
    media = media if isinstance(media, dict) else {}
    media_url = absolute(RT, as_text(first_of(media, "url", "mediaUrl", "vanityUrl")))
    vanity = as_text(critic.get("vanity"))
    critic_url = as_text(first_of(critic, "rottenTomatoesUrl", "criticUrl")) or (
        f"{RT}/critic/{vanity}" if vanity else None
    )
    top = first_of(critic, "isTopCritic")
    if top is None:
        top = item.get("isTopCritic")
    return RawReview(
        movie_title=as_text(first_of(media, "title", "name")),
        movie_slug=movie_slug(media_url) or movie_slug(url),
        movie_ref=_ems_id(media, url),
        critic_name=as_text(first_of(critic, "displayName", "name")),
        critic_url=critic_url,
        publication=as_text(first_of(publication, "name", "title")),
        publication_url=as_text(first_of(publication, "editorialUrl", "url")),
        is_top_critic=top if isinstance(top, bool) else None,
        sentiment=_sentiment(item),
        score_raw=_raw_score(first_of(item, "scoreOri", "originalScore", "originalScoreText")),
        date_raw=as_text(first_of(item, "createDate", "creationDate", "date", "publishDate")),
        quote_raw=as_text(first_of(item, "quote", "reviewQuote", "text")),
        review_url=as_text(first_of(item, "publicationReviewUrl", "reviewUrl", "url")),
    )


def _raw_score(value: Any) -> str | None:
    """The score exactly as the feed gives it (padding included), or None when blank."""
    if isinstance(value, str):
        return value if value.strip() else None
    return as_text(value)


def _sentiment(item: dict[str, Any]) -> str | None:
    for key in ("scoreSentiment", "reviewState", "score", "sentiment"):
        if text := as_text(item.get(key)):
            return text
    if isinstance(item.get("isFresh"), bool):
        return "fresh" if item["isFresh"] else "rotten"
    if isinstance(item.get("isRotten"), bool):
        return "rotten" if item["isRotten"] else "fresh"
    return None


def _ems_id(media: dict[str, Any], url: str) -> str | None:
    ems = as_text(first_of(media, "emsId", "emsVersionId", "id"))
    if not ems and (match := _EMS_ID.search(url)):
        ems = match.group(1)
    return f"rt-ems:{ems.lower()}" if ems else None


def _next(payload: dict[str, Any], url: str) -> tuple[str, ...]:
    info = payload.get("pageInfo")
    if not isinstance(info, dict) or not info.get("hasNextPage") or not is_web_url(url):
        return ()
    cursor = as_text(info.get("endCursor"))
    if not cursor:
        return ()
    if "endCursor=" in url:  # the 2021-2023 napi shape
        return (with_query(url, direction="next", endCursor=cursor),)
    return (with_query(url, after=cursor),)
