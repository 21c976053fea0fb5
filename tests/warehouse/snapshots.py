"""Score snapshots built by hand, in the shape transforms hands the load
(`SCORE_SNAPSHOTS_SCHEMA`: the movie's identity, the capture, then RT's typed numbers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl

SNAPSHOT_COLUMNS: dict[str, pl.DataType] = {
    "movie_id": pl.String(),
    "movie_key": pl.String(),
    "movie_slug": pl.String(),
    "movie_title": pl.String(),
    "movie_title_source": pl.String(),
    "movie_year": pl.Int32(),
    "captured_at": pl.Datetime("us", "UTC"),
    "source_url": pl.String(),
    "tomatometer": pl.Int32(),
    "tomatometer_sentiment": pl.String(),
    "certified_fresh": pl.Boolean(),
    "critic_review_count": pl.Int32(),
    "critic_liked": pl.Int32(),
    "critic_not_liked": pl.Int32(),
    "critic_average_rating": pl.Float64(),
    "top_critics_tomatometer": pl.Int32(),
    "popcornmeter": pl.Int32(),
    "popcornmeter_certified": pl.Boolean(),
    "audience_rating_count": pl.String(),
}


def capture(
    slug: str, at: datetime, tomatometer: int | None, *, title: str | None = None, **values: Any
) -> dict[str, Any]:
    """One capture of `slug`'s scorecard at `at`, from its movie page unless `source_url`."""
    return {
        "movie_id": slug,
        "movie_key": slug,
        "movie_slug": slug,
        "movie_title": title,
        "movie_title_source": "stated" if title else "slug",
        "source_url": f"https://www.rottentomatoes.com/m/{slug}",
        "captured_at": at,
        "tomatometer": tomatometer,
        **values,
    }


def snapshots(*captures: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(captures), schema=SNAPSHOT_COLUMNS)
