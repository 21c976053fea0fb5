"""Gathering the batches of a run: one row per review across batches, RT's scorecards, and
the dimensions."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from flows.stages.parse import StagedBatch
from flows.stages.problems import page_problem
from transforms.normalize import (
    critics_of,
    deduplicate_lazy,
    movies_of,
    publications_of,
    repeated_review_ids,
)
from transforms.schema import (
    MOVIES_SCHEMA,
    QUARANTINE_SCHEMA,
    REVIEWS_SCHEMA,
    SCORE_SNAPSHOTS_SCHEMA,
)


@dataclass(frozen=True, slots=True)
class Staged:
    """A run's staged batches, gathered."""

    reviews: pl.LazyFrame  # one row per review across batches, scanned from the batch files
    quarantine: pl.DataFrame
    review_files: tuple[str, ...]  # the batch files `reviews` is read from
    # Whether some review was seen in two batches and merged: if not, the batch files hold
    # exactly `reviews`, and the load can read them as they are instead of a copy.
    merged: bool


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
    repeated = repeated_review_ids(scanned)
    return Staged(
        reviews=deduplicate_lazy(scanned, repeated),
        quarantine=_read([*extra_quarantine, *quarantine_files], QUARANTINE_SCHEMA),
        review_files=tuple(review_files),
        merged=not repeated.is_empty(),
    )


@dataclass(frozen=True, slots=True)
class Gathered:
    """A run's batches, gathered for validation: the reviews (lazily), everything
    quarantined so far, RT's scorecards, and the dimensions."""

    staged: Staged
    quarantine: pl.DataFrame  # the batches' and the fetch's, and scorecards naming no movie
    snapshots: pl.DataFrame  # SCORE_SNAPSHOTS_SCHEMA
    dimensions: dict[str, pl.DataFrame]  # movies, critics, publications

    def page_urls(self) -> list[str]:
        """The pages the run's reviews come from."""
        urls = self.staged.reviews.select(pl.col("source_url").unique()).collect()
        return urls.to_series().to_list()


def gather(
    batches: list[StagedBatch], run_id: str, extra_quarantine: tuple[str, ...] = ()
) -> Gathered:
    """The run's `batches` (and `extra_quarantine` files) gathered: see `Gathered`."""
    staged = scan_staged(batches, extra_quarantine)
    snapshots, unnamed_scorecards = score_snapshots(batches, run_id)
    return Gathered(
        staged=staged,
        quarantine=pl.concat([staged.quarantine, unnamed_scorecards]),
        snapshots=snapshots,
        dimensions=dimensions(staged.reviews, snapshots),
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


def _read(paths: list[str], schema: pl.Schema) -> pl.DataFrame:
    return pl.read_parquet(paths).cast(dict(schema)) if paths else pl.DataFrame(schema=schema)
