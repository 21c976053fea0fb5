"""Gathering the batches of a run: one row per review across batches, the dimensions, and
the facts about every page read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from flows.stages.parse import StagedBatch
from flows.stages.problems import page_problem
from transforms.normalize import critics_of, deduplicate_lazy, movies_of, publications_of
from transforms.schema import (
    MOVIES_SCHEMA,
    PAGE_FACTS_SCHEMA,
    PAGES_SEEN_SCHEMA,
    QUARANTINE_SCHEMA,
    REVIEWS_SCHEMA,
    SCORE_SNAPSHOTS_SCHEMA,
    WEB_FACTS_SCHEMA,
)


@dataclass(frozen=True, slots=True)
class Staged:
    """A run's staged batches, gathered."""

    reviews: pl.LazyFrame  # one row per review across batches, scanned from the batch files
    quarantine: pl.DataFrame
    # The batch files, when they hold exactly `reviews` (no review was seen in two batches):
    # the load can then read them as they are, instead of a copy of them.
    review_files: tuple[str, ...]


def scan_staged(batches: list[StagedBatch], extra_quarantine: tuple[str, ...] = ()) -> Staged:
    """All staged reviews as a lazy scan of the batch files (a run's reviews are never held
    in memory whole), and all staged quarantine."""
    review_files = [path for batch in batches for path in batch.reviews_paths]
    quarantine_files = [path for batch in batches for path in batch.quarantine_paths]
    scanned = (
        pl.scan_parquet(review_files).cast(dict(REVIEWS_SCHEMA))
        if review_files
        else pl.LazyFrame(schema=REVIEWS_SCHEMA)
    )
    reviews = deduplicate_lazy(scanned)  # the scan itself when there is nothing to merge
    return Staged(
        reviews=reviews,
        quarantine=_read([*extra_quarantine, *quarantine_files], QUARANTINE_SCHEMA),
        review_files=tuple(review_files) if reviews is scanned else (),
    )


def read_staged(
    batches: list[StagedBatch], extra_quarantine: tuple[str, ...] = ()
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`scan_staged`, collected."""
    staged = scan_staged(batches, extra_quarantine)
    return staged.reviews.collect(), staged.quarantine


def score_snapshots(batches: list[StagedBatch], run_id: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """RT's own scores read this run, one row per movie, capture and page; and a quarantine
    row for each scorecard on a page that names no movie (no slug, title or emsId), which
    no movie could hold."""
    paths = [path for batch in batches for path in batch.scorecard_paths]
    snapshots = _read(paths, SCORE_SNAPSHOTS_SCHEMA).unique(
        ["movie_id", "captured_at", "source_url"], keep="last", maintain_order=True
    )
    unnamed = pl.col("movie_id").is_null() | pl.col("captured_at").is_null()
    problems = pl.DataFrame(
        [
            page_problem(run_id, url, "transform", "RT scorecard on a page that names no movie")
            for url in snapshots.filter(unnamed).get_column("source_url")
        ],
        schema=QUARANTINE_SCHEMA,
    )
    return snapshots.filter(~unnamed), problems


def dimensions(
    reviews: pl.DataFrame | pl.LazyFrame, snapshots: pl.DataFrame | None = None
) -> dict[str, pl.DataFrame]:
    """The movies, critics and publications of a run's reviews; a title RT scores before
    anyone has reviewed it (a scorecard and no reviews yet) is a movie too."""
    movies = reviews
    if snapshots is not None and not snapshots.is_empty():
        columns = MOVIES_SCHEMA.names()
        movies = pl.concat([reviews.lazy().select(columns), snapshots.lazy().select(columns)])
    return {
        "movies": movies_of(movies),
        "critics": critics_of(reviews),
        "publications": publications_of(reviews),
    }


def pages_seen(
    batches: list[StagedBatch],
    skipped_facts: tuple[str, ...],
    web_facts: tuple[str, ...],
    seen_at: datetime,
) -> pl.DataFrame:
    """One row per page read or checked this run, in the shape of the `pages` table."""
    facts = _read([*skipped_facts, *(p for b in batches for p in b.facts_paths)], PAGE_FACTS_SCHEMA)
    web = _read(list(web_facts), WEB_FACTS_SCHEMA).select(
        "url",
        "http_status",
        "content_type",
        "etag",
        "last_modified",
        "headers",
        "links",
        "start_url",
    )
    return (
        facts.unique("url", keep="last", maintain_order=True)
        .join(web.unique("url", keep="last"), on="url", how="left")
        .with_columns(pl.lit(seen_at).cast(pl.Datetime("us", "UTC")).alias("last_seen_at"))
        .select(PAGES_SEEN_SCHEMA.names())
        .cast(dict(PAGES_SEEN_SCHEMA))
    )


def _read(paths: list[str], schema: pl.Schema) -> pl.DataFrame:
    return pl.read_parquet(paths).cast(dict(schema)) if paths else pl.DataFrame(schema=schema)
