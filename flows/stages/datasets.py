"""Importing review datasets (CSV) in streamed chunks."""

from __future__ import annotations

import functools
import hashlib
import mmap
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from flows.stages.facts import dataset_facts
from flows.stages.parse import StagedBatch, write_parquet
from flows.stages.problems import page_problem
from parsers import datasets
from parsers.base import clip
from transforms.normalize import normalize_reviews
from transforms.schema import PAGE_FACTS_SCHEMA, QUARANTINE_SCHEMA


def dataset_kind(path: Path) -> datasets.DatasetKind | None:
    """What the CSV's header says it holds; None for a file with no usable header (empty,
    or not CSV at all): importing it then says why, as that file's quarantine row."""
    try:
        header = pl.scan_csv(path, infer_schema=False, n_rows=0).collect_schema().names()
    except (pl.exceptions.PolarsError, OSError):
        return None
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
    previous_hash: str | None = None,
    chunk_rows: int = 250_000,
) -> StagedBatch:
    """Import a review dataset in streamed chunks of `chunk_rows`, each normalised on its own.

    A dump cut off mid-record loads every complete row; the cut-off tail becomes one
    quarantine row saying how many bytes were dropped. A file with the bytes already loaded
    (`previous_hash`) is not read again.
    """
    started = time.perf_counter()
    staging_dir.mkdir(parents=True, exist_ok=True)
    source_url = path.resolve().as_uri()
    name = f"batch-{batch_number:05d}"
    try:
        stat = path.stat()
        digest = _file_hash(path)
    except OSError as error:  # gone since it was listed, or unreadable: this file's problem
        staged = _Staged(batch_number, staging_dir / name, started, _no_facts)
        reason = f"cannot read dataset: {error.strerror or error}"
        staged.problems.append(page_problem(run_id, source_url, "parse", reason, datasets.LAYOUT))
        return staged.done(failed=True)
    fetched_at = datetime.fromtimestamp(stat.st_mtime, UTC)
    facts = functools.partial(
        dataset_facts,
        url=source_url,
        content_hash=digest,
        path=str(path),
        byte_size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        layout=datasets.LAYOUT,
        fetched_at=fetched_at,
    )
    staged = _Staged(batch_number, staging_dir / name, started, facts)
    if digest == previous_hash:
        return staged.done(unchanged=True)
    kind = dataset_kind(path)
    if stat.st_size == 0 or kind is None or kind.kind != "reviews":
        reason = "CSV holds no review columns (review_content / review_text / quote)"
        if stat.st_size == 0:
            reason = "empty CSV file: no header and no rows"
        elif kind is not None:
            reason = "a movies table alone has no reviews: give it with its reviews file"
        staged.problems.append(page_problem(run_id, source_url, "parse", reason, datasets.LAYOUT))
        return staged.done(failed=True)
    try:
        _import_chunks(
            path,
            staged,
            kind,
            staging_dir,
            name,
            source_url,
            fetched_at,
            run_id,
            movies,
            chunk_rows,
        )
    except Exception as error:  # one dataset's failure is that dataset's problem
        reason = f"cannot import dataset: {type(error).__name__}: {clip(str(error))}"
        staged.problems.append(page_problem(run_id, source_url, "parse", reason, datasets.LAYOUT))
        staged.review_paths, staged.raw_paths = (), ()
        return staged.done(failed=True)
    return staged.done()


def _import_chunks(
    path: Path,
    staged: _Staged,
    kind: datasets.DatasetKind,
    staging_dir: Path,
    name: str,
    source_url: str,
    fetched_at: datetime,
    run_id: str,
    movies: pl.DataFrame | None,
    chunk_rows: int,
) -> None:
    readable = _complete_copy(path, staging_dir / f"{name}.complete.csv", staged.problems, run_id)
    reader = pl.scan_csv(readable, infer_schema=False, truncate_ragged_lines=True)
    for number, chunk in enumerate(reader.collect_batches(chunk_size=chunk_rows)):
        raw = datasets.raw_reviews(
            chunk,
            kind.columns,
            source_url=source_url,
            fetched_at=fetched_at,
            first_row=staged.rows + 1,
        ).collect()
        staged.rows += raw.height
        raw = datasets.with_movie_titles(raw, movies)
        reviews = normalize_reviews(raw)
        stem = staging_dir / f"{name}.{number:04d}"
        staged.review_paths += write_parquet(reviews, stem.with_suffix(".reviews.parquet"))
        staged.raw_paths += write_parquet(raw, stem.with_suffix(".raw.parquet"))


def _no_facts(**_: object) -> pl.DataFrame:
    """A file that could not be read has no version to record in `pages`."""
    return pl.DataFrame(schema=PAGE_FACTS_SCHEMA)


class _Staged:
    """The pieces of one dataset's StagedBatch, gathered as the import goes."""

    def __init__(
        self, number: int, stem: Path, started: float, facts: Callable[..., pl.DataFrame]
    ) -> None:
        self.number, self.stem, self.started, self.facts = number, stem, started, facts
        self.problems: list[dict] = []
        self.review_paths: tuple[str, ...] = ()
        self.raw_paths: tuple[str, ...] = ()
        self.rows = 0

    def done(self, *, unchanged: bool = False, failed: bool = False) -> StagedBatch:
        quarantine = pl.DataFrame(self.problems, schema=QUARANTINE_SCHEMA)
        facts = self.facts(reviews_parsed=None if unchanged else self.rows)
        return StagedBatch(
            batch_number=self.number,
            reviews_paths=self.review_paths,
            raw_paths=self.raw_paths,
            quarantine_paths=write_parquet(
                quarantine, self.stem.with_suffix(".quarantine.parquet")
            ),
            facts_paths=write_parquet(facts, self.stem.with_suffix(".pages.parquet")),
            scorecard_paths=(),
            pages_parsed=0 if unchanged or failed else 1,
            pages_failed=int(failed),
            pages_unchanged=int(unchanged),
            reviews_parsed=self.rows,
            layouts={} if unchanged or failed else {datasets.LAYOUT: 1},
            seconds=time.perf_counter() - self.started,
        )


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


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
