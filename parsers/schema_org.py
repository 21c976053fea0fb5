"""schema.org `Review` objects in JSON-LD, on any critic site or as a bare JSON-LD document.

Reviews are found wherever they sit: top level, inside `@graph`, or nested in the reviewed
item (`Movie.review[]`, as Rotten Tomatoes does). Ratings follow the spec: values may be
numbers or text, and `bestRating` is 5 when missing. A rating whose scale runs from -1 to 1
is not a score but the page's fresh/rotten call (Rotten Tomatoes' convention).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from parsers.base import ParsedPage, ParseError
from parsers.html import as_text, first_of, json_ld, load_json
from parsers.records import RawReview
from parsers.urls import absolute, movie_slug

_YEAR = re.compile(r"\b((?:18|19|20)\d{2})\b")
_REVIEW_TYPES = {"Review", "CriticReview"}
# Where reviews nest inside other nodes, in the order they are looked at.
_NESTING_KEYS = ("@graph", "review", "reviews", "mainEntity", "itemListElement", "item")


class SchemaOrgParser:
    layout: ClassVar[str] = "schema_org"

    def looks_like(self, text: str) -> bool:
        head = text.lstrip()[:1]
        if head in "{[":
            return '"@context"' in text[:2000] and '"Review"' in text
        return "application/ld+json" in text and '"Review"' in text

    def links(self, text: str, url: str) -> tuple[str, ...]:
        return ()  # a single page: nothing to follow

    def parse(self, text: str, url: str) -> ParsedPage:
        documents = _documents(text)
        reviews = reviews_in(documents, url)
        if not reviews:
            raise ParseError("JSON-LD holds no Review objects", layout=self.layout)
        return ParsedPage(layout=self.layout, reviews=reviews)


def _documents(text: str) -> tuple[Any, ...]:
    if text.lstrip()[:1] in "{[":
        try:
            return (load_json(text),)
        except ValueError as error:
            raise ParseError(f"not valid JSON: {error}", layout=SchemaOrgParser.layout) from None
    return json_ld(text)


def reviews_in(documents: Sequence[Any], page_url: str) -> list[RawReview]:
    """Every review in the JSON-LD documents, with the item it reviews."""
    return [
        _review(node, item, page_url)
        for document in documents
        for node, item in _review_nodes(document, reviewed=None)
    ]


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    return set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()


def _review_nodes(
    document: Any, reviewed: dict[str, Any] | None
) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    """Every Review node with the item it reviews, in document order.

    Walked with a stack rather than by recursion: a hostile page can nest `@graph` or
    `review` as deep as the JSON decoder allows, which a recursive walk would not survive.
    """
    stack: list[tuple[Any, dict[str, Any] | None]] = [(document, reviewed)]
    while stack:
        node, reviewed = stack.pop()
        if isinstance(node, list):
            stack.extend((child, reviewed) for child in reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        if _types(node) & _REVIEW_TYPES:
            item = node.get("itemReviewed")
            yield node, item if isinstance(item, dict) else reviewed
            continue
        owner = node if "@type" in node else reviewed
        stack.extend((node[key], owner) for key in reversed(_NESTING_KEYS) if key in node)


def _review(node: dict[str, Any], item: dict[str, Any] | None, page_url: str) -> RawReview:
    item = item or {}
    author = node.get("author")
    publisher = node.get("publisher")
    item_url = as_text(item.get("url")) or page_url
    score_raw, sentiment = _rating(node.get("reviewRating"))
    return RawReview(
        movie_title=as_text(item.get("name")),
        movie_slug=movie_slug(item_url),
        movie_year=_year(item),
        critic_name=_name(author),
        critic_url=absolute(page_url, _url(author)),
        publication=_name(publisher),
        publication_url=absolute(page_url, _url(publisher)),
        sentiment=sentiment,
        score_raw=score_raw,
        date_raw=as_text(first_of(node, "datePublished", "dateCreated", "dateModified")),
        quote_raw=as_text(first_of(node, "reviewBody", "description", "text")),
        review_url=absolute(page_url, as_text(node.get("url"))),
    )


def _rating(rating: Any) -> tuple[str | None, str | None]:
    """(score as `value/best`, sentiment) from a schema.org Rating."""
    if not isinstance(rating, dict):
        return as_text(rating), None
    value = _number(rating.get("ratingValue"))
    best = _number(rating.get("bestRating"))
    worst = _number(rating.get("worstRating"))
    if value is None:
        return as_text(rating.get("ratingValue")), None
    if best == 1 and worst == -1:
        return None, "fresh" if value > 0 else "rotten"
    best = 5.0 if best is None else best
    if worst not in (None, 0.0, 1.0):
        # Shift onto a scale starting at zero so that value/best keeps its meaning.
        value, best = value - worst, best - worst
    return f"{_plain(value)}/{_plain(best)}", None


def _number(value: Any) -> float | None:
    try:
        return float(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


def _plain(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def _name(entity: Any) -> str | None:
    if isinstance(entity, list):
        entity = entity[0] if entity else None
    if isinstance(entity, dict):
        return as_text(entity.get("name"))
    return as_text(entity)


def _url(entity: Any) -> str | None:
    if isinstance(entity, list):
        entity = entity[0] if entity else None
    return as_text(entity.get("url")) if isinstance(entity, dict) else None


def _year(item: dict[str, Any]) -> int | None:
    for key in ("datePublished", "releaseDate", "copyrightYear"):
        if (text := as_text(item.get(key))) and (match := _YEAR.search(text)):
            return int(match.group(1))
    return None
