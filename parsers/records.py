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
}

RAW_SCHEMA: pl.Schema = pl.Schema({**PAGE_COLUMNS, **REVIEW_COLUMNS})


def empty_raw_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=RAW_SCHEMA)
