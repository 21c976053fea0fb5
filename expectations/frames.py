"""The pandas frames each suite validates, built from the transformed Polars frames.

GX 1.x validates pandas, not Polars, and hashes every batch it is given; so each suite gets
only the columns it checks, with long text replaced by its length, and dates as
`datetime64[ns]` so GX compares them vectorised.
"""

from __future__ import annotations

import pandas as pd
import polars as pl


def reviews_frame(reviews: pl.DataFrame | pl.LazyFrame) -> pd.DataFrame:
    return (
        reviews.lazy()
        .select(
            "review_id",
            "movie_id",
            pl.col("quote").str.len_chars().cast(pl.Float64).alias("quote_chars"),
            pl.col("review_date").cast(pl.Datetime("ns")),
            "score_normalized",
            "score_status",
            "score_kind",
            "is_fresh",
            pl.col("critic_name").str.len_chars().cast(pl.Float64).alias("critic_name_chars"),
            pl.col("publication_name")
            .str.len_chars()
            .cast(pl.Float64)
            .alias("publication_name_chars"),
        )
        .collect(engine="streaming")
        .to_pandas()
    )


def batch_summary_frame(
    run_id: str, *, pages_parsed: int, reviews: int, quarantined: int, unparsed_scores: int
) -> pd.DataFrame:
    """One row: the shares the batch tier limits."""
    rows_seen = reviews + quarantined
    return pd.DataFrame(
        {
            "check": [run_id],
            "reviews_parsed_when_pages_parsed": [float(rows_seen if pages_parsed else 1)],
            "quarantined_share": [quarantined / rows_seen if rows_seen else 0.0],
            "unparsed_score_share": [unparsed_scores / reviews if reviews else 0.0],
        }
    )


def movie_loss_frame(batch_counts: pl.DataFrame, warehouse_counts: pl.DataFrame) -> pd.DataFrame:
    """Per movie: reviews in this batch over reviews the warehouse holds from the same pages.

    `batch_counts` and `warehouse_counts` both have `movie_id` and `reviews`.
    """
    joined = warehouse_counts.join(batch_counts, on="movie_id", how="left", suffix="_batch")
    return joined.select(
        "movie_id",
        (pl.col("reviews_batch").fill_null(0) / pl.col("reviews")).alias("kept_share"),
    ).to_pandas()


def dimension_frame(frame: pl.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame.select(columns).to_pandas()
