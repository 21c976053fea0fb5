"""The run's Prefect tasks: each a stage's work, logged, as one task run in the UI.

Tasks hand each other paths, counts and small result objects. The work of parsing and of
validating comes in as a job, a call that does it or waits for the process doing it
(`flows.execution`), and the begun load with its open transaction comes in quoted: Prefect
walks and records neither. No task keeps a result cache: each run works on new pages, and
hashing a run's inputs for cache keys costs more than it could save.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows import stages
from flows.runs import RunRecord
from warehouse.load import Load, LoadBatch

LOGGED_PROBLEMS = 20  # quarantine rows named one by one in the run's log


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
def validate(job: Callable[[], stages.Verdict]) -> stages.Verdict:
    """Validate the run's gathered batch: `job` does it, or waits for the validation process
    that does (`flows.execution`)."""
    verdict = job()
    _log_findings(verdict)
    return verdict


@task(name="load-warehouse", cache_policy=NO_CACHE)
def load(begun: Load, verdict: stages.Verdict, pages_seen: str | None, run: RunRecord) -> RunRecord:
    """Finish the run's load with the batch that passed; after a failed validation, abandon
    it and keep only the run's record, quarantine and validation results."""
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


def _log_findings(verdict: stages.Verdict) -> None:
    logger = get_run_logger()
    (quarantine_file,) = verdict.tables["quarantine"]
    quarantine = pl.scan_parquet(quarantine_file)
    logged = quarantine.head(LOGGED_PROBLEMS).collect()
    for row in logged.iter_rows(named=True):
        logger.warning("quarantined (%s) %s: %s", row["stage"], row["source_url"], row["reason"])
    total = quarantine.select(pl.len()).collect().item()
    if total > LOGGED_PROBLEMS:
        logger.warning("... and %d more in the quarantine table", total - LOGGED_PROBLEMS)
    for reason, count in verdict.warnings.items():
        logger.warning("validation warning: %s (%d reviews)", reason, count)
    for failure in verdict.batch_failures:
        logger.error("batch expectation failed: %s", failure)
