"""Rotten Tomatoes' own numbers for a title, and which title an RT page is about.

Any RT page may state the title's scores, whatever layout its reviews are in: today's pages
in a `<script id="media-scorecard-json" data-json="mediaScorecard">` blob, older ones only
as JSON-LD `aggregateRating` (the Tomatometer and its review count). `scorecard_of` reads
either, every value as the page writes it; `transforms.scorecards` types them.

`page_title_of` names the title the way today's pages do: their
`<script data-json="props">` blob (`media.title`, `media.releaseYear`, `vanity.emsId`),
else JSON-LD `Movie`/`TVSeason`, else the slug in the URL. The review-card parser and the
scorecard share it, so a page's reviews and its scores land on one movie.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, NamedTuple

from parsers.html import as_text, first_of, json_ld, load_json
from parsers.records import RawScorecard
from parsers.urls import movie_slug

SCORECARD_MARKER = "media-scorecard-json"
PROPS_MARKER = 'data-json="props"'
_SCRIPT_CLOSE = re.compile(r"</script\s*>", re.IGNORECASE)
_EMS_ID = re.compile(r"\"emsId\"\s*:\s*\"([^\"]+)\"")
_YEAR = re.compile(r"\b((?:18|19|20)\d{2})\b")
_TITLE_TYPES = frozenset({"Movie", "TVSeason"})
_MAX_JSON_LD_DEPTH = 32  # titles sit at the top or in `@graph`, never deep


# What a scorecard states beside the title's identity, every value a string as written.
SCORECARD_VALUES: tuple[str, ...] = tuple(
    name
    for name in RawScorecard.__annotations__
    if name not in ("movie_title", "movie_slug", "movie_year", "movie_ref")
)


class PageTitle(NamedTuple):
    """The title an RT page is about, as far as the page says."""

    title: str | None
    year: int | None
    slug: str | None
    ems_id: str | None  # RT's id for the title, as the page writes it
    from_props: bool = False  # whether a props blob that parses named the title

    @property
    def ref(self) -> str | None:
        """The title's id in the form raw records carry it (`rt-ems:<id>`, lower case)."""
        return f"rt-ems:{self.ems_id.lower()}" if self.ems_id else None


def script_bodies(text: str, marker: str) -> Iterator[tuple[int, int]]:
    """Where the body of every `<script>` whose opening tag holds `marker` starts and ends.

    Found by substring search: a regex over a 500 KB page costs more than a parse. The
    opening tag may span lines and hold its attributes in any order; a `marker` outside a
    `<script>` tag (a mention in code or text) is passed over.

    >>> page = '<p>data-json="props"</p><script\\n type="application/json"\\n data-json="props">'
    >>> page += '{}</script>'
    >>> [page[start:end] for start, end in script_bodies(page, 'data-json="props"')]
    ['{}']
    """
    at = text.find(marker)
    while at >= 0:
        tag = text.rfind("<", 0, at)
        tag_end = text.find(">", at)
        in_script_tag = (
            tag >= 0
            and tag_end >= 0
            and text[tag : tag + 7].lower() == "<script"
            and text.find(">", tag, at) < 0  # no tag closes between `<script` and the marker
        )
        if in_script_tag:
            closing = _SCRIPT_CLOSE.search(text, tag_end + 1)
            end = closing.start() if closing else len(text)
            yield tag_end + 1, end
            at = text.find(marker, end)
            continue
        at = text.find(marker, at + 1)


def page_title_of(text: str, url: str) -> PageTitle:
    """Which title an RT page is about: its props blob, else JSON-LD, else its URL.

    A props blob that is not JSON names nothing; the `"emsId": "…"` pattern is then looked
    for elsewhere on the page (and when there is no blob at all), never inside the broken
    blob itself, whose truncated text cannot be trusted to belong to this title.
    """
    media: dict[str, Any] = {}
    vanity: dict[str, Any] = {}
    broken: list[tuple[int, int]] = []
    for start, end in script_bodies(text, PROPS_MARKER):
        props = _json_object(text[start:end])
        if props is None:
            broken.append((start, end))
            continue
        media = _object(props.get("media"))
        vanity = _object(props.get("vanity"))
        if media or vanity:
            break
    title = as_text(first_of(media, "title", "name"))
    year = _year(first_of(media, "releaseYear", "releaseDate"))
    ems_id = as_text(vanity.get("emsId")) or as_text(media.get("emsId"))
    slug = movie_slug(url) or movie_slug(as_text(vanity.get("href")))
    from_props = bool(title or ems_id)
    if title is None or year is None or slug is None:
        node = _title_node(text)
        title = title or as_text(node.get("name"))
        year = year or _year(first_of(node, "dateCreated", "datePublished"))
        slug = slug or movie_slug(as_text(node.get("url")))
    if ems_id is None:
        ems_id = _ems_id_outside(text, broken)
    return PageTitle(title=title, year=year, slug=slug, ems_id=ems_id, from_props=from_props)


def scorecard_of(text: str, url: str) -> RawScorecard | None:
    """RT's scores for the page's title: the `media-scorecard-json` blob, else JSON-LD
    `aggregateRating` of the `Movie`/`TVSeason`; None when the page states neither (or
    only in JSON that does not parse). Values are kept as the page writes them.
    """
    has_blob = SCORECARD_MARKER in text
    if not has_blob and "aggregateRating" not in text:
        return None
    values = _from_blob(text) if has_blob else None
    if values is None and "aggregateRating" in text:
        values = _from_json_ld(text)
    if values is None or all(value is None for value in values.values()):
        return None
    title = page_title_of(text, url)
    return RawScorecard(
        movie_title=title.title,
        movie_slug=title.slug,
        movie_year=title.year,
        movie_ref=title.ref,
        **{name: values.get(name) for name in SCORECARD_VALUES},
    )


def _from_blob(text: str) -> dict[str, str | None] | None:
    for start, end in script_bodies(text, SCORECARD_MARKER):
        card = _json_object(text[start:end])
        if card is None:
            continue
        critics = _object(card.get("criticsScore"))
        audience = _object(card.get("audienceScore"))
        top = _object(_object(card.get("overlay")).get("criticsTop"))
        if not (critics or audience or top):
            continue
        return {
            "tomatometer": as_text(critics.get("score")),
            "tomatometer_sentiment": as_text(critics.get("sentiment")),
            "certified_fresh": as_text(critics.get("certified")),
            "critic_review_count": as_text(critics.get("reviewCount")),
            "critic_liked": as_text(critics.get("likedCount")),
            "critic_not_liked": as_text(critics.get("notLikedCount")),
            "critic_average_rating": as_text(critics.get("averageRating")),
            "top_critics_tomatometer": as_text(top.get("score")),
            "popcornmeter": as_text(audience.get("score")),
            "popcornmeter_certified": as_text(audience.get("certified")),
            "audience_rating_count": as_text(
                first_of(audience, "ratingCount", "bandedRatingCount")
            ),
        }
    return None


def _from_json_ld(text: str) -> dict[str, str | None] | None:
    """The Tomatometer in JSON-LD: RT's `aggregateRating` (named "Tomatometer", or on a
    title whose URL is RT's), not another site's rating of the same film."""
    node = _title_node(text)
    rating = _object(node.get("aggregateRating"))
    if not rating:
        return None
    name = (as_text(rating.get("name")) or "").lower()
    if "tomatometer" not in name and "rottentomatoes.com/" not in (as_text(node.get("url")) or ""):
        return None
    return {
        "tomatometer": as_text(rating.get("ratingValue")),
        "critic_review_count": as_text(first_of(rating, "reviewCount", "ratingCount")),
    }


@lru_cache(maxsize=2)
def _title_node(text: str) -> dict[str, Any]:
    """The first JSON-LD `Movie` or `TVSeason` on the page (or in a bare JSON-LD document),
    searched without recursion: a page can nest JSON as deep as the decoder allows."""
    if text.lstrip()[:1] in ("{", "["):  # a bare JSON-LD document, as saved on its own
        try:
            documents = [load_json(text)]
        except ValueError:
            return {}
    elif "ld+json" in text or "LD+JSON" in text:
        documents = json_ld(text)
    else:
        return {}
    stack: list[tuple[Any, int]] = [(document, 0) for document in reversed(documents)]
    while stack:
        node, depth = stack.pop()
        if depth > _MAX_JSON_LD_DEPTH:
            continue
        if isinstance(node, list):
            stack.extend((child, depth + 1) for child in reversed(node))
        elif isinstance(node, dict):
            kind = node.get("@type")
            kinds = set(kind) if isinstance(kind, list) else {kind}
            if kinds & _TITLE_TYPES:
                return node
            stack.extend(
                (child, depth + 1)
                for child in reversed(node.values())
                if isinstance(child, dict | list)
            )
    return {}


def _ems_id_outside(text: str, skipped: list[tuple[int, int]]) -> str | None:
    at = text.find('"emsId"')
    while at >= 0:
        outside = not any(start <= at < end for start, end in skipped)
        if outside and (match := _EMS_ID.match(text, at)):
            return match.group(1).strip() or None
        at = text.find('"emsId"', at + 1)
    return None


def _json_object(payload: str) -> dict[str, Any] | None:
    """The JSON object in a script body; None when it is not one (or not JSON at all)."""
    try:
        value = load_json(payload)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _year(value: Any) -> int | None:
    text = as_text(value)
    match = _YEAR.search(text) if text else None
    return int(match.group(1)) if match else None
