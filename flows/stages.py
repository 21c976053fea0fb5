"""The pipeline's stages as plain functions: the flow's tasks call these, and so does the
benchmark, so orchestration overhead can be measured against the bare work.

Each stage returns a small result object with its counts and seconds.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from flows.pages import PageRef, read_body
from parsers import ParseError, decode_body, parse_page
from parsers.records import RAW_SCHEMA
from transforms.normalize import (
    critics_of,
    deduplicate,
    movies_of,
    normalize_reviews,
    publications_of,
)
from transforms.schema import QUARANTINE_SCHEMA, REVIEWS_SCHEMA

MAX_PAGE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class PageOutcome:
    url: str
    layout: str | None
    reviews: int
    error: str | None = None


@dataclass(slots=True)
class ParsedBatch:
    raw: pl.DataFrame  # RAW_SCHEMA
    quarantine: pl.DataFrame  # QUARANTINE_SCHEMA
    pages: list[PageOutcome] = field(default_factory=list)
    next_urls: list[str] = field(default_factory=list)

    @property
    def pages_failed(self) -> int:
        return sum(1 for page in self.pages if page.error)


@dataclass(frozen=True, slots=True)
class StagedBatch:
    """What a parse/transform task hands on: file paths and counts, never frames."""

    batch_number: int
    reviews_path: str | None
    quarantine_path: str | None
    pages_parsed: int
    pages_failed: int
    reviews_parsed: int
    layouts: dict[str, int]
    next_urls: tuple[str, ...]
    seconds: float


def parse_pages(pages: list[PageRef], run_id: str) -> ParsedBatch:
    """Parse every page; a page that fails becomes one quarantine row, the rest go on."""
    records: list[dict] = []
    problems: list[dict] = []
    outcomes: list[PageOutcome] = []
    next_urls: list[str] = []
    for page in pages:
        try:
            text = decode_body(read_body(page, MAX_PAGE_BYTES), page.content_type)
            parsed = parse_page(text, page.url)
        except (ParseError, OSError) as error:
            layout = getattr(error, "layout", None)
            outcomes.append(PageOutcome(page.url, layout, 0, str(error)))
            problems.append(_page_problem(run_id, page, "parse", str(error), layout))
            continue
        page_columns = {
            "source_url": page.url,
            "source_layout": parsed.layout,
            "page_number": parsed.page_number,
            "fetched_at": page.fetched_at,
        }
        records.extend(
            {**review, **page_columns, "record_number": number}
            for number, review in enumerate(parsed.reviews)
        )
        outcomes.append(PageOutcome(page.url, parsed.layout, len(parsed.reviews)))
        next_urls.extend(parsed.next_urls)
    return ParsedBatch(
        raw=pl.DataFrame(records, schema=RAW_SCHEMA),
        quarantine=pl.DataFrame(problems, schema=QUARANTINE_SCHEMA),
        pages=outcomes,
        next_urls=next_urls,
    )


def stage_batch(
    pages: list[PageRef], *, batch_number: int, staging_dir: Path, run_id: str
) -> StagedBatch:
    """Parse and transform one batch of pages into Parquet files under `staging_dir`."""
    started = time.perf_counter()
    parsed = parse_pages(pages, run_id)
    reviews = normalize_reviews(parsed.raw)
    staging_dir.mkdir(parents=True, exist_ok=True)
    reviews_path = _write(reviews, staging_dir / f"batch-{batch_number:05d}.reviews.parquet")
    quarantine_path = _write(
        parsed.quarantine, staging_dir / f"batch-{batch_number:05d}.quarantine.parquet"
    )
    return StagedBatch(
        batch_number=batch_number,
        reviews_path=reviews_path,
        quarantine_path=quarantine_path,
        pages_parsed=len(pages) - parsed.pages_failed,
        pages_failed=parsed.pages_failed,
        reviews_parsed=parsed.raw.height,
        layouts=dict(Counter(page.layout for page in parsed.pages if page.layout)),
        next_urls=tuple(dict.fromkeys(parsed.next_urls)),
        seconds=time.perf_counter() - started,
    )


def read_staged(batches: list[StagedBatch]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """All staged reviews (one row per review across batches) and all staged quarantine."""
    review_files = [batch.reviews_path for batch in batches if batch.reviews_path]
    quarantine_files = [batch.quarantine_path for batch in batches if batch.quarantine_path]
    reviews = (
        deduplicate(pl.read_parquet(review_files))
        if review_files
        else pl.DataFrame(schema=REVIEWS_SCHEMA)
    )
    quarantine = (
        pl.read_parquet(quarantine_files)
        if quarantine_files
        else pl.DataFrame(schema=QUARANTINE_SCHEMA)
    )
    return reviews, quarantine


def dimensions(reviews: pl.DataFrame) -> dict[str, pl.DataFrame]:
    return {
        "movies": movies_of(reviews),
        "critics": critics_of(reviews),
        "publications": publications_of(reviews),
    }


def page_problem(
    run_id: str, url: str, stage: str, reason: str, layout: str | None, **facts: object
) -> dict:
    """One quarantine row for a page that could not be used."""
    return {
        "run_id": run_id,
        "source_url": url,
        "stage": stage,
        "reason": reason,
        "layout": layout,
        "review_id": None,
        "record": json.dumps({"url": url, **facts}, default=str),
        "quarantined_at": datetime.now(UTC),
    }


def _page_problem(run_id: str, page: PageRef, stage: str, reason: str, layout: str | None) -> dict:
    return page_problem(run_id, page.url, stage, reason, layout, content_type=page.content_type)


def _write(frame: pl.DataFrame, path: Path) -> str | None:
    if frame.is_empty():
        return None
    frame.write_parquet(path, compression="lz4", statistics=False)
    return str(path)
