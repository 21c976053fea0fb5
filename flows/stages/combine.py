"""Gathering the batches of a run: one row per review across batches, the dimensions, and
the facts about every page read."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from flows.stages.parse import StagedBatch
from transforms.normalize import critics_of, deduplicate_lazy, movies_of, publications_of
from transforms.schema import (
    PAGE_FACTS_SCHEMA,
    PAGES_SEEN_SCHEMA,
    QUARANTINE_SCHEMA,
    REVIEWS_SCHEMA,
    WEB_FACTS_SCHEMA,
)


def scan_staged(
    batches: list[StagedBatch], extra_quarantine: tuple[str, ...] = ()
) -> tuple[pl.LazyFrame, pl.DataFrame]:
    """All staged reviews, one row per review across batches, as a lazy scan of the batch
    files (a run's reviews are never held in memory whole), and all staged quarantine."""
    review_files = [path for batch in batches for path in batch.reviews_paths]
    quarantine_files = [path for batch in batches for path in batch.quarantine_paths]
    reviews = (
        pl.scan_parquet(review_files).cast(dict(REVIEWS_SCHEMA))
        if review_files
        else pl.LazyFrame(schema=REVIEWS_SCHEMA)
    )
    quarantine = _read([*extra_quarantine, *quarantine_files], QUARANTINE_SCHEMA)
    return deduplicate_lazy(reviews), quarantine


def read_staged(
    batches: list[StagedBatch], extra_quarantine: tuple[str, ...] = ()
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`scan_staged`, collected."""
    reviews, quarantine = scan_staged(batches, extra_quarantine)
    return reviews.collect(), quarantine


def dimensions(reviews: pl.DataFrame | pl.LazyFrame) -> dict[str, pl.DataFrame]:
    return {
        "movies": movies_of(reviews),
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
        "url", "http_status", "content_type", "etag", "last_modified", "headers", "links"
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
