"""Review records from Rotten Tomatoes' JSON review feeds, every shape, and their paging.

One builder for `rt_api` (today's API) and `rt_json_feed` (the 2021-23 napi shape and
per-critic feeds): the shapes name the same facts with different keys, so each field is the
first of its keys that the item carries.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from parsers.html import as_text, first_of
from parsers.records import RawReview
from parsers.urls import absolute, is_web_url, movie_slug, with_query

RT = "https://www.rottentomatoes.com"
# The title's emsId in a feed URL: `/napi/rtcf/v1/movies/<id>/reviews` and its TV kinds
# (`tv/seasons`, `tv/episodes`), `/cnapi/movie/<id>/...`, `/napi/movie/<id>/criticsReviews`.
_EMS_ID = re.compile(
    r"/(?:c?napi|api)(?:/rtcf/v\d+)?/(?:movies?|media|tv/seasons|tv/episodes)/([^/?#]+)",
    re.IGNORECASE,
)


def feed_review(item: dict[str, Any], page_media: Any, url: str) -> RawReview:
    """One review of a feed page, every field as the feed writes it.

    `page_media` is the page's own movie object, if the feed has one; an item's `media`
    (per-critic feeds, one movie per review) wins over it.
    """
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
        movie_ref=ems_ref(media, url),
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
        source_review_id=as_text(item.get("reviewId")),
    )


def ems_ref(media: dict[str, Any], url: str) -> str | None:
    """`rt-ems:<id>` (lower case) from the feed's movie object, else from the feed's URL."""
    ems = as_text(first_of(media, "emsId", "emsVersionId", "id"))
    if not ems and (match := _EMS_ID.search(url)):
        ems = match.group(1)
    return f"rt-ems:{ems.lower()}" if ems else None


def next_page(payload: dict[str, Any], url: str) -> tuple[str, ...]:
    """The feed's next page while `pageInfo.hasNextPage`: `after=<endCursor>`, or in the
    2021-23 napi shape (whose URLs carry `endCursor=`) `direction=next&endCursor=<cursor>`.

    A cursor the page was itself asked for leads back to the same page: paging ends there
    rather than loop.
    """
    info = payload.get("pageInfo")
    if not isinstance(info, dict) or info.get("hasNextPage") is not True or not is_web_url(url):
        return ()
    cursor = as_text(info.get("endCursor"))
    if not cursor:
        return ()
    query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    parameter = "endCursor" if "endCursor" in query else "after"
    if query.get(parameter) == cursor:
        return ()
    if parameter == "endCursor":
        return (with_query(url, direction="next", endCursor=cursor),)
    return (with_query(url, after=cursor),)


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
