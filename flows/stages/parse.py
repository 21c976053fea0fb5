"""Parse and transform a batch of pages into Parquet files: the fan-out stage."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from flows.fetch import MAX_PAGE_BYTES, PageRef, PageTooLarge, content_hash, read_body
from flows.stages.facts import parsed_page_facts
from flows.stages.problems import page_problem
from parsers import ParseError, decode_body, parse_page
from parsers.base import ParsedPage as Page
from parsers.base import clip
from parsers.records import RAW_SCHEMA, RAW_SCORECARD_SCHEMA, REVIEW_COLUMNS, RawReview
from parsers.urls import movie_slug
from transforms.normalize import normalize_reviews
from transforms.schema import QUARANTINE_SCHEMA
from transforms.scorecards import normalize_scorecards


@dataclass(frozen=True, slots=True)
class PageOutcome:
    """What parsing made of one page."""

    page: PageRef
    layout: str | None
    reviews: int
    content_hash: str | None
    byte_size: int | None
    error: str | None = None
    unchanged: bool = False


@dataclass(slots=True)
class ParsedBatch:
    raw: pl.DataFrame  # RAW_SCHEMA
    quarantine: pl.DataFrame  # QUARANTINE_SCHEMA
    pages: list[PageOutcome] = field(default_factory=list)
    scorecards: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=RAW_SCORECARD_SCHEMA)
    )

    @property
    def pages_failed(self) -> int:
        return sum(1 for page in self.pages if page.error)

    @property
    def pages_unchanged(self) -> int:
        return sum(1 for page in self.pages if page.unchanged)


@dataclass(frozen=True, slots=True)
class StagedBatch:
    """What a parse/transform task hands on: file paths and counts, never frames."""

    batch_number: int
    reviews_paths: tuple[str, ...]
    raw_paths: tuple[str, ...]
    quarantine_paths: tuple[str, ...]
    facts_paths: tuple[str, ...]
    scorecard_paths: tuple[str, ...]  # RT's own scores, one row per page that states them
    pages_parsed: int
    pages_failed: int
    pages_unchanged: int
    reviews_parsed: int
    layouts: dict[str, int]
    seconds: float


def parse_pages(
    pages: Iterable[PageRef], run_id: str, *, max_page_bytes: int = MAX_PAGE_BYTES
) -> ParsedBatch:
    """Parse every page, in order; a page that fails, for whatever reason, becomes one
    quarantine row and the rest go on.

    A page whose bytes hash to the version already loaded (`previous_hash`) is not parsed.
    """
    reviews: list[RawReview] = []
    parsed_pages: list[ParsedPage] = []
    scorecards: list[dict] = []
    problems: list[dict] = []
    outcomes: list[PageOutcome] = []
    for page in pages:
        try:
            body = read_body(page, max_page_bytes)
        except Exception as error:  # a missing file, a corrupt store file: this page's problem
            reason = str(error) if isinstance(error, PageTooLarge) else _unreadable(error)
            outcomes.append(PageOutcome(page, None, 0, None, None, reason))
            problems.append(page_problem(run_id, page.url, "parse", reason, path=page.body_path))
            continue
        digest = page.content_hash or content_hash(body)
        if page.previous_hash == digest:
            outcomes.append(PageOutcome(page, None, 0, digest, len(body), unchanged=True))
            continue
        try:
            parsed = parse_page(decode_body(body, page.content_type), page.url)
        except Exception as error:  # any failure is this page's problem, never the run's
            layout = error.layout if isinstance(error, ParseError) else None
            reason = str(error) if isinstance(error, ParseError) else _crashed(error)
            outcomes.append(PageOutcome(page, layout, 0, digest, len(body), reason))
            problems.append(
                page_problem(
                    run_id,
                    page.url,
                    "parse",
                    reason,
                    layout,
                    content_type=page.content_type,
                    bytes=len(body),
                )
            )
            continue
        if page.start_url:
            _inherit_movie(parsed, page.start_url)
        reviews.extend(parsed.reviews)
        parsed_pages.append(
            (page.url, parsed.layout, parsed.page_number, page.fetched_at, len(parsed.reviews))
        )
        if parsed.scorecard:
            scorecards.append(
                {"source_url": page.url, "fetched_at": page.fetched_at, **parsed.scorecard}
            )
        outcomes.append(PageOutcome(page, parsed.layout, len(parsed.reviews), digest, len(body)))
    return ParsedBatch(
        raw=raw_records(reviews, parsed_pages),
        quarantine=pl.DataFrame(problems, schema=QUARANTINE_SCHEMA),
        pages=outcomes,
        scorecards=pl.DataFrame(scorecards, schema=RAW_SCORECARD_SCHEMA),
    )


def _inherit_movie(parsed: Page, start_url: str) -> None:
    """A page that names no movie (RT's review API: ids and quotes only) is about the movie
    whose page its crawl started from: the API is reached from that title's reviews page."""
    slug = movie_slug(start_url)
    if slug is None:
        return
    for record in (*parsed.reviews, *([parsed.scorecard] if parsed.scorecard else [])):
        if not record.get("movie_slug") and not record.get("movie_title"):
            record["movie_slug"] = slug


def _unreadable(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        return f"cannot read page: {error.strerror}"
    return f"cannot read page: {type(error).__name__}: {clip(str(error))}"


def _crashed(error: Exception) -> str:
    """A parser's unexpected failure, as one line (its message cut short)."""
    return f"parser error: {type(error).__name__}: {clip(str(error))}"


# A parsed page's columns, and how many reviews it gave: a row of PARSED_PAGE_SCHEMA.
ParsedPage = tuple[str, str, int | None, datetime, int]
PARSED_PAGE_SCHEMA = pl.Schema(
    {
        "source_url": pl.String(),
        "source_layout": pl.String(),
        "page_number": pl.Int32(),
        "fetched_at": pl.Datetime("us", "UTC"),
        "reviews": pl.Int64(),
    }
)


def raw_records(reviews: list[RawReview], pages: list[ParsedPage]) -> pl.DataFrame:
    """A batch's raw records: the reviews as the parsers returned them, in page order, beside
    the columns of the page each came from.

    A page's columns are built once and spread over its reviews, not merged into every
    review's dict: that is most of the cost of building the frame.
    """
    spread = (
        pl.DataFrame(pages, schema=PARSED_PAGE_SCHEMA, orient="row")
        .filter(pl.col("reviews") > 0)
        .select(
            pl.exclude("reviews").repeat_by("reviews").explode(),
            pl.int_ranges(0, "reviews", dtype=pl.Int32).explode().alias("record_number"),
        )
    )
    records = pl.DataFrame(reviews, schema=REVIEW_COLUMNS)
    return pl.concat([spread, records], how="horizontal").select(RAW_SCHEMA.names())


def stage_batch(
    pages: Iterable[PageRef],
    *,
    batch_number: int,
    staging_dir: Path,
    run_id: str,
    max_page_bytes: int = MAX_PAGE_BYTES,
) -> StagedBatch:
    """Parse and transform one batch of pages into Parquet files under `staging_dir`."""
    started = time.perf_counter()
    parsed = parse_pages(pages, run_id, max_page_bytes=max_page_bytes)
    reviews = normalize_reviews(parsed.raw)
    staging_dir.mkdir(parents=True, exist_ok=True)
    name = f"batch-{batch_number:05d}"
    return StagedBatch(
        batch_number=batch_number,
        reviews_paths=write_parquet(reviews, staging_dir / f"{name}.reviews.parquet"),
        raw_paths=write_parquet(parsed.raw, staging_dir / f"{name}.raw.parquet"),
        quarantine_paths=write_parquet(
            parsed.quarantine, staging_dir / f"{name}.quarantine.parquet"
        ),
        facts_paths=write_parquet(
            parsed_page_facts(parsed.pages), staging_dir / f"{name}.pages.parquet"
        ),
        scorecard_paths=write_parquet(
            normalize_scorecards(parsed.scorecards), staging_dir / f"{name}.scorecards.parquet"
        ),
        pages_parsed=len(parsed.pages) - parsed.pages_failed - parsed.pages_unchanged,
        pages_failed=parsed.pages_failed,
        pages_unchanged=parsed.pages_unchanged,
        reviews_parsed=parsed.raw.height,
        layouts=dict(Counter(page.layout for page in parsed.pages if page.layout)),
        seconds=time.perf_counter() - started,
    )


def write_parquet(frame: pl.DataFrame, path: Path) -> tuple[str, ...]:
    """`frame` as a staging file (none for an empty frame); the paths written."""
    if frame.is_empty():
        return ()
    frame.write_parquet(path, compression="lz4", statistics=False)
    return (str(path),)
