"""The run's Prefect tasks: each a stage's work, logged, as one task run in the UI.

Tasks hand each other paths, counts and small result objects; the large things (the
gathered batch, a lazy scan of its files, and the begun load with its open transaction) go
in quoted, for Prefect not to walk or persist. No task keeps a result cache: each run works
on new pages, and hashing a run's inputs for cache keys costs more than it could save.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from expectations.settings import ValidationSettings
from flows import stages
from flows.runs import RunRecord
from warehouse.load import Load, LoadBatch

LOGGED_PROBLEMS = 20  # quarantine rows named one by one in the run's log


@dataclass(frozen=True, slots=True)
class Verdict:
    """What validation decided, and where the checked tables are (Parquet, by table)."""

    tables: dict[str, list[str]]  # reviews, movies, critics, publications, quarantine, ...
    reviews_quarantined: int
    batch_failures: list[str] = field(default_factory=list)
    warnings: dict[str, int] = field(default_factory=dict)
    report_path: str | None = None
    seconds: float = 0.0
    top_reasons: list[tuple[str, int]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.batch_failures


@task(
    name="parse-and-transform",
    task_run_name="parse-and-transform batch {batch_number}",
    cache_policy=NO_CACHE,
)
def parse_and_transform(
    job: Callable[[], stages.StagedBatch], batch_number: int
) -> stages.StagedBatch:
    """Parse and transform one batch of pages: `job` does it, or waits for the worker
    process that does (`flows.execution`)."""
    staged = job()
    get_run_logger().info(
        "batch %d: %d pages parsed, %d unchanged, %d failed, %d reviews (layouts %s)",
        batch_number,
        staged.pages_parsed,
        staged.pages_unchanged,
        staged.pages_failed,
        staged.reviews_parsed,
        staged.layouts,
    )
    return staged


@task(name="import-dataset", task_run_name="import-dataset {path.name}", cache_policy=NO_CACHE)
def import_dataset(
    path: Path,
    batch_number: int,
    staging_dir: str,
    run_id: str,
    movies: pl.DataFrame | None,
    previous_hash: str | None,
) -> stages.StagedBatch:
    staged = stages.stage_dataset(
        path,
        batch_number=batch_number,
        staging_dir=Path(staging_dir),
        run_id=run_id,
        movies=movies,
        previous_hash=previous_hash,
    )
    get_run_logger().info(
        "dataset %s: %d rows in %d chunks (%.1f s)%s",
        path.name,
        staged.reviews_parsed,
        len(staged.reviews_paths),
        staged.seconds,
        " - unchanged, skipped" if staged.pages_unchanged else "",
    )
    return staged


@task(name="validate", cache_policy=NO_CACHE)
def validate(
    gathered: stages.Gathered,
    held: pl.DataFrame | None,
    *,
    run_id: str,
    pages_parsed: int,
    reports_dir: str,
    staging_dir: str,
    settings: ValidationSettings,
) -> Verdict:
    """Validate the run's gathered batch; `held`: per movie, the reviews the warehouse
    already holds from the same pages (read before, for the movie-loss check)."""
    # imported here, not at the top: only the process that validates pays for the import
    from expectations.validate import validate_batch

    started = time.perf_counter()
    dims = gathered.dimensions
    report = validate_batch(
        run_id=run_id,
        reviews=gathered.staged.reviews,
        movies=dims["movies"],
        critics=dims["critics"],
        publications=dims["publications"],
        pages_parsed=pages_parsed,
        warehouse_counts=held,
        reports_dir=reports_dir,
        settings=settings,
    )
    directory = Path(staging_dir) / "validated"
    directory.mkdir(parents=True, exist_ok=True)
    tables: dict[str, list[str]] = {}
    if gathered.staged.review_files and not gathered.staged.merged and report.quarantine.is_empty():
        tables["reviews"] = list(gathered.staged.review_files)  # load them as they are
    else:
        tables["reviews"] = [str(directory / "reviews.parquet")]
        report.reviews.lazy().sink_parquet(tables["reviews"][0], compression="lz4")
    if report.quarantine.height:  # the dimensions change only if validation took rows out
        dims = stages.dimensions(report.reviews, gathered.snapshots)
    quarantine = pl.concat([gathered.quarantine, report.quarantine])
    frames = {
        **dims,
        "score_snapshots": gathered.snapshots,
        "quarantine": quarantine,
        "validation_results": report.results,
    }
    for name, frame in frames.items():
        frame.write_parquet(directory / f"{name}.parquet", compression="lz4")
        tables[name] = [str(directory / f"{name}.parquet")]
    _log_findings(quarantine, report.warnings, report.batch_failures)
    return Verdict(
        tables=tables,
        reviews_quarantined=report.quarantine.height,
        batch_failures=report.batch_failures,
        warnings=report.warnings,
        report_path=str(report.docs_index) if report.docs_index else None,
        seconds=time.perf_counter() - started,
        top_reasons=top_reasons(quarantine),
    )


@task(name="load-warehouse", cache_policy=NO_CACHE)
def load(begun: Load, verdict: Verdict, pages_seen: str | None, run: RunRecord) -> RunRecord:
    """Finish the run's load with the batch that passed; after a failed validation, abandon
    it and keep only the run's record, quarantine and validation results."""
    run.stage_seconds["validate"] = round(verdict.seconds, 3)
    run.reviews_quarantined = verdict.reviews_quarantined
    run.warnings = verdict.warnings
    run.report_path = verdict.report_path
    run.status = "completed" if verdict.passed else "failed"
    run.error_summary = "; ".join(verdict.batch_failures) or None
    run.ended_at = datetime.now(UTC)
    tables = verdict.tables
    results = {"validation_results": tables["validation_results"]}
    if not verdict.passed:
        begun.abandon(evidence=(tables["quarantine"], results))
        return run
    begun.finish(
        LoadBatch(
            reviews=tables["reviews"],
            movies=tables["movies"],
            critics=tables["critics"],
            publications=tables["publications"],
            quarantine=tables["quarantine"],
            pages_seen=[pages_seen] if pages_seen else None,
            score_snapshots=tables["score_snapshots"],
            extra_tables=results,
        )
    )
    return run


def _log_findings(quarantine: pl.DataFrame, warnings: dict[str, int], failures: list[str]) -> None:
    logger = get_run_logger()
    for row in quarantine.head(LOGGED_PROBLEMS).iter_rows(named=True):
        logger.warning("quarantined (%s) %s: %s", row["stage"], row["source_url"], row["reason"])
    if quarantine.height > LOGGED_PROBLEMS:
        logger.warning(
            "... and %d more in the quarantine table", quarantine.height - LOGGED_PROBLEMS
        )
    for reason, count in warnings.items():
        logger.warning("validation warning: %s (%d reviews)", reason, count)
    for failure in failures:
        logger.error("batch expectation failed: %s", failure)


def top_reasons(quarantine: pl.DataFrame, limit: int = 5) -> list[tuple[str, int]]:
    """The most frequent quarantine reasons, without the per-row evidence after ': '."""
    if quarantine.is_empty():
        return []
    reasons = quarantine.select(
        pl.concat_str(pl.col("stage"), pl.lit(": "), pl.col("reason").str.replace(r": \w+=.*$", ""))
    ).to_series()
    counts = reasons.value_counts(sort=True).head(limit)
    return [(reason, count) for reason, count in counts.iter_rows()]
