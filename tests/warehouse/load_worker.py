"""A separate process that loads a large synthetic batch, for the kill -9 test.

    python -m tests.warehouse.load_worker WAREHOUSE ROWS STRATEGY

Prints `LOADING` once it holds a writable connection, then loads.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime

import polars as pl

from tests.helpers import batch_of
from transforms.schema import REVIEWS_SCHEMA
from warehouse.load import RunRow, load_run
from warehouse.publish import PublishOptions, writing


def synthetic_reviews(rows: int, tag: str) -> pl.DataFrame:
    index = pl.int_range(rows, eager=True)
    frame = pl.DataFrame({"i": index}).select(
        pl.format("{}-{}", pl.lit(tag), pl.col("i")).alias("review_id"),
        (pl.col("i") % 500).cast(pl.String).alias("movie_id"),
        pl.format("critic-{}", pl.col("i") % 3000).alias("critic_id"),
        pl.lit(date(2020, 1, 1)).alias("review_date"),
        pl.format("Quote number {} from a long and winding review.", pl.col("i")).alias("quote"),
        pl.lit("3/4").alias("score_raw"),
        pl.lit(0.75).alias("score_normalized"),
        pl.lit("ok").alias("score_status"),
        (pl.col("i") % 500).cast(pl.String).alias("movie_key"),
        pl.format("critic-{}", pl.col("i") % 3000).alias("critic_key"),
        pl.format("Critic {}", pl.col("i") % 3000).alias("critic_name"),
        pl.format("Movie {}", pl.col("i") % 500).alias("movie_title"),
        pl.lit("stated").alias("movie_title_source"),
    )
    missing = [name for name in REVIEWS_SCHEMA if name not in frame.columns]
    return frame.with_columns(
        pl.lit(None, REVIEWS_SCHEMA[name]).alias(name) for name in missing
    ).select(REVIEWS_SCHEMA.names())


def main() -> None:
    warehouse, rows, strategy = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    batch = batch_of(synthetic_reviews(rows, "killed"))
    with writing(warehouse, PublishOptions(strategy=strategy)) as con:
        print("LOADING", flush=True)
        load_run(con, batch, RunRow("killed-run", datetime.now(UTC)))
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
