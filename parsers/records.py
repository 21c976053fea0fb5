"""The parse layer's output contract: one raw review record, as the page states it.

Parsers fill what their layout shows and leave the rest out; nothing here is cleaned or
converted. `transforms` turns these strings into typed, normalised columns.
"""

from __future__ import annotations

from typing import TypedDict

import polars as pl


class RawReview(TypedDict, total=False):
    movie_title: str | None
    movie_slug: str | None
    movie_year: int | None
    movie_ref: str | None  # an external movie id ("rt-ems:<id>") when slug and title are unknown
    critic_name: str | None
    critic_url: str | None
    publication: str | None
    publication_url: str | None
    is_top_critic: bool | None
    sentiment: str | None  # "fresh" / "rotten" / "positive" / ... exactly as the page says it
    score_raw: str | None
    date_raw: str | None
    quote_raw: str | None
    review_url: str | None
    source_review_id: str | None  # the id the source itself gives the review (RT's reviewId)


class RawScorecard(TypedDict, total=False):
    """Rotten Tomatoes' own numbers for one title as a page states them (the
    `media-scorecard-json` blob, else JSON-LD `aggregateRating`), every value as written."""

    movie_title: str | None
    movie_slug: str | None
    movie_year: int | None
    movie_ref: str | None
    tomatometer: str | None  # "93"
    tomatometer_sentiment: str | None  # "POSITIVE"
    certified_fresh: str | None  # "true" / "false"
    critic_review_count: str | None
    critic_liked: str | None
    critic_not_liked: str | None
    critic_average_rating: str | None  # out of 10
    top_critics_tomatometer: str | None
    popcornmeter: str | None
    popcornmeter_certified: str | None
    audience_rating_count: str | None  # a count, or RT's banded text ("250,000+ Ratings")


# Page-level columns are added to every record of a page by the stage that parsed it.
PAGE_COLUMNS: dict[str, pl.DataType] = {
    "source_url": pl.String(),
    "source_layout": pl.String(),
    "page_number": pl.Int32(),
    "record_number": pl.Int32(),
    "fetched_at": pl.Datetime("us", "UTC"),
}

REVIEW_COLUMNS: dict[str, pl.DataType] = {
    "movie_title": pl.String(),
    "movie_slug": pl.String(),
    "movie_year": pl.Int32(),
    "movie_ref": pl.String(),
    "critic_name": pl.String(),
    "critic_url": pl.String(),
    "publication": pl.String(),
    "publication_url": pl.String(),
    "is_top_critic": pl.Boolean(),
    "sentiment": pl.String(),
    "score_raw": pl.String(),
    "date_raw": pl.String(),
    "quote_raw": pl.String(),
    "review_url": pl.String(),
    "source_review_id": pl.String(),
}

RAW_SCHEMA: pl.Schema = pl.Schema({**PAGE_COLUMNS, **REVIEW_COLUMNS})


def empty_raw_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=RAW_SCHEMA)


SCORECARD_COLUMNS: dict[str, pl.DataType] = {
    "source_url": pl.String(),
    "fetched_at": pl.Datetime("us", "UTC"),
    "movie_title": pl.String(),
    "movie_slug": pl.String(),
    "movie_year": pl.Int32(),
    "movie_ref": pl.String(),
    **{
        name: pl.String()
        for name in RawScorecard.__annotations__
        if name not in ("movie_title", "movie_slug", "movie_year", "movie_ref")
    },
}
# One row per page that carries a scorecard: the page's columns, then the scorecard's.
RAW_SCORECARD_SCHEMA: pl.Schema = pl.Schema(SCORECARD_COLUMNS)
