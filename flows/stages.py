"""The pipeline's stages as plain functions: the flow's tasks call these, and so does the
benchmark, so orchestration overhead can be measured against the bare work.

Each stage returns a small result object with its counts and seconds.
"""

from __future__ import annotations

import json
import mmap
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from flows.pages import PageRef, read_body
from parsers import ParseError, datasets, decode_body, parse_page
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
    reviews_paths: tuple[str, ...]
    quarantine_paths: tuple[str, ...]
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
    name = f"batch-{batch_number:05d}"
    return StagedBatch(
        batch_number=batch_number,
        reviews_paths=_write(reviews, staging_dir / f"{name}.reviews.parquet"),
        quarantine_paths=_write(parsed.quarantine, staging_dir / f"{name}.quarantine.parquet"),
        pages_parsed=len(pages) - parsed.pages_failed,
        pages_failed=parsed.pages_failed,
        reviews_parsed=parsed.raw.height,
        layouts=dict(Counter(page.layout for page in parsed.pages if page.layout)),
        next_urls=tuple(dict.fromkeys(parsed.next_urls)),
        seconds=time.perf_counter() - started,
    )


def read_staged(batches: list[StagedBatch]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """All staged reviews (one row per review across batches) and all staged quarantine."""
    review_files = [path for batch in batches for path in batch.reviews_paths]
    quarantine_files = [path for batch in batches for path in batch.quarantine_paths]
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


def _write(frame: pl.DataFrame, path: Path) -> tuple[str, ...]:
    if frame.is_empty():
        return ()
    frame.write_parquet(path, compression="lz4", statistics=False)
    return (str(path),)


def dataset_kind(path: Path) -> datasets.DatasetKind | None:
    header = pl.scan_csv(path, infer_schema=False, n_rows=0).collect_schema().names()
    return datasets.sniff(header)


def read_movies_tables(paths: list[Path]) -> pl.DataFrame | None:
    """Titles and years from companion movies tables (`rotten_tomatoes_movies.csv`)."""
    if not paths:
        return None
    frames = [datasets.movies_lookup(pl.scan_csv(p, infer_schema=False)) for p in paths]
    return pl.concat(frames).unique("movie_slug", keep="first").collect()


def stage_dataset(
    path: Path,
    *,
    batch_number: int,
    staging_dir: Path,
    run_id: str,
    movies: pl.DataFrame | None = None,
    chunk_rows: int = 250_000,
) -> StagedBatch:
    """Import a review dataset in streamed chunks of `chunk_rows`, each normalised on its own.

    A dump cut off mid-record loads every complete row; the cut-off tail becomes one
    quarantine row saying how many bytes were dropped.
    """
    started = time.perf_counter()
    staging_dir.mkdir(parents=True, exist_ok=True)
    source_url = path.resolve().as_uri()
    fetched_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    kind = dataset_kind(path)
    name = f"batch-{batch_number:05d}"
    problems: list[dict] = []
    if kind is None or kind.kind != "reviews":
        reason = "CSV holds no review columns (review_content / review_text / quote)"
        if kind is not None:
            reason = "a movies table alone has no reviews: give it with its reviews file"
        problems.append(page_problem(run_id, source_url, "parse", reason, datasets.LAYOUT))
        return _staged_dataset(batch_number, (), problems, staging_dir / name, 0, started, 0)

    readable = _complete_copy(path, staging_dir / f"{name}.complete.csv", problems, run_id)
    reader = pl.scan_csv(readable, infer_schema=False, truncate_ragged_lines=True)
    review_paths: list[str] = []
    rows = 0
    for number, chunk in enumerate(reader.collect_batches(chunk_size=chunk_rows)):
        raw = datasets.raw_reviews(
            chunk, kind.columns, source_url=source_url, fetched_at=fetched_at, first_row=rows + 1
        ).collect()
        rows += raw.height
        reviews = normalize_reviews(datasets.with_movie_titles(raw, movies))
        review_paths += _write(reviews, staging_dir / f"{name}.{number:04d}.reviews.parquet")
    return _staged_dataset(
        batch_number, tuple(review_paths), problems, staging_dir / name, rows, started, 1
    )


def _complete_copy(path: Path, copy: Path, problems: list[dict], run_id: str) -> Path:
    """`path`, or a copy of its complete records when the file was cut off mid-record."""
    size = path.stat().st_size
    if size == 0:
        return path
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
        keep = datasets.complete_prefix(view)
        if keep == size:
            return path
        tail = bytes(view[keep : keep + 200])
        with copy.open("wb") as target:
            target.write(view[:keep])
    problems.append(
        page_problem(
            run_id,
            path.resolve().as_uri(),
            "parse",
            f"last record cut off mid-field: {size - keep} bytes dropped",
            datasets.LAYOUT,
            dropped_bytes=size - keep,
            tail=tail.decode("utf-8", "replace"),
        )
    )
    return copy


def _staged_dataset(
    batch_number: int,
    review_paths: tuple[str, ...],
    problems: list[dict],
    stem: Path,
    rows: int,
    started: float,
    parsed: int,
) -> StagedBatch:
    quarantine = pl.DataFrame(problems, schema=QUARANTINE_SCHEMA)
    return StagedBatch(
        batch_number=batch_number,
        reviews_paths=review_paths,
        quarantine_paths=_write(quarantine, stem.with_name(stem.name + ".quarantine.parquet")),
        pages_parsed=parsed,
        pages_failed=1 - parsed,
        reviews_parsed=rows,
        layouts={datasets.LAYOUT: 1} if parsed else {},
        next_urls=(),
        seconds=time.perf_counter() - started,
    )
