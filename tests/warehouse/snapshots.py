"""Score snapshots built by hand, in the shape transforms hands the load
(`SCORE_SNAPSHOTS_SCHEMA`: the movie's identity, the capture, then RT's typed numbers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl

from transforms.schema import SCORE_SNAPSHOTS_SCHEMA


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
    return pl.DataFrame(list(captures), schema=SCORE_SNAPSHOTS_SCHEMA)
