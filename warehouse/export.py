"""Parquet export of the marts, for tools that cannot open a DuckDB file.

DIR/reviews/review_year=2007/data_0.parquet   one folder per year of review date
DIR/dim_movies.parquet, dim_critics.parquet, dim_publications.parquet, movie_score_snapshots.parquet
DIR/movie_scorecard.parquet, critic_profile.parquet, tomatometer_history.parquet, ...
"""

from __future__ import annotations

import shutil
from pathlib import Path

from warehouse.db import read_sql
from warehouse.publish import reading

TABLES = ("dim_movies", "dim_critics", "dim_publications", "movie_score_snapshots")
VIEWS = (
    "movie_scorecard",
    "critic_profile",
    "monthly_reviews",
    "score_format_mix",
    "tomatometer_history",
)


def export_parquet(location: str, directory: Path) -> dict[str, int]:
    """Write the marts under `directory` (replacing an earlier export); rows per output."""
    directory.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with reading(location) as con:
        reviews = directory / "reviews"
        shutil.rmtree(reviews, ignore_errors=True)
        relation = con.sql(read_sql("sql/export_reviews.sql"))
        counts["reviews"] = int(relation.count("*").fetchall()[0][0])
        relation.write_parquet(str(reviews), partition_by=["review_year"], compression="zstd")
        for name in (*TABLES, *VIEWS):
            relation = con.table(name)
            counts[name] = int(relation.count("*").fetchall()[0][0])
            relation.write_parquet(str(directory / f"{name}.parquet"), compression="zstd")
    return counts
