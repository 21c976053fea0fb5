"""The pandas frames each suite validates, built from the transformed Polars frames.

GX 1.x validates pandas, not Polars, hashes every batch it is given, and filters the whole
frame for every row condition; its cost grows with the bytes per row. So each suite gets
only the columns it checks, in the cheapest type that keeps what is checked:

- long text as its length (`quote_chars`);
- hexadecimal keys (`review_id`, `movie_id`) as the 64-bit numbers they spell, so equal
  keys stay equal and missing ones missing;
- labels from a small set (`score_status`, `score_kind`) as categoricals;
- dates as `datetime64[ns]`, so GX compares them vectorised.

The reviews frame also carries `row`, each row's position, which names the failing rows
(`unexpected_index_column_names`); `ReviewsFrame.review_ids` turns positions into keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import polars as pl

from transforms.scores import SCORE_KINDS, SCORE_STATUSES


@dataclass(frozen=True, slots=True)
class ReviewsFrame:
    frame: pd.DataFrame  # what the reviews suite validates
    review_ids: pl.Series  # the review_id of the frame's rows, by position (`row`)

    def ids_at(self, rows: Iterable[int]) -> list[str | None]:
        return self.review_ids.gather(list(rows)).to_list()


def reviews_frame(reviews: pl.DataFrame | pl.LazyFrame) -> ReviewsFrame:
    checked = (
        reviews.lazy()
        .select(
            "review_id",
            pl.col("review_id").str.to_integer(base=16, dtype=pl.UInt64, strict=False).alias("id"),
            pl.col("movie_id").str.to_integer(base=16, dtype=pl.UInt64, strict=False),
            pl.col("quote").str.len_chars().cast(pl.Float64).alias("quote_chars"),
            pl.col("review_date").cast(pl.Datetime("ns")),
            "score_normalized",
            "score_status",
            "score_kind",
            pl.col("is_fresh").cast(pl.Float64),
            pl.col("critic_name").str.len_chars().cast(pl.Float64).alias("critic_name_chars"),
            pl.col("publication_name")
            .str.len_chars()
            .cast(pl.Float64)
            .alias("publication_name_chars"),
        )
        .collect(engine="streaming")
    )
    frame = pd.DataFrame(
        {
            "row": np.arange(checked.height),
            "review_id": _hex_key(checked.get_column("id"), "review_id"),
            "movie_id": _hex_key(checked.get_column("movie_id"), "movie_id"),
            "quote_chars": checked.get_column("quote_chars").to_numpy(),
            "review_date": checked.get_column("review_date").to_pandas(),
            "score_normalized": checked.get_column("score_normalized").to_numpy(),
            "score_status": _labels(checked.get_column("score_status"), SCORE_STATUSES),
            "score_kind": _labels(checked.get_column("score_kind"), SCORE_KINDS),
            "is_fresh": checked.get_column("is_fresh").to_numpy(),
            "critic_name_chars": checked.get_column("critic_name_chars").to_numpy(),
            "publication_name_chars": checked.get_column("publication_name_chars").to_numpy(),
        }
    )
    return ReviewsFrame(frame, checked.get_column("review_id"))


def _hex_key(numbers: pl.Series, name: str) -> pd.Series:
    """A nullable UInt64 column: numpy's float would round 64-bit keys into collisions."""
    values = pd.arrays.IntegerArray(numbers.fill_null(0).to_numpy(), numbers.is_null().to_numpy())
    return pd.Series(values, name=name)


def _labels(values: pl.Series, known: tuple[str, ...]) -> pd.Series:
    """A categorical over the known labels plus any unknown ones seen, which stay visible
    for the in-set expectations to reject."""
    seen = values.drop_nulls().unique().to_list()
    categories = [*known, *sorted(set(seen) - set(known))]
    return values.cast(pl.Enum(categories)).to_pandas()


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
