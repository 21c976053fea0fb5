"""The part of every run after pages are in hand: stage them in batches, validate, load,
report. Shared by the ingest and reprocess flows.

    batches -> gathered -> (the load begins: raw records) -> validate -> finish or abandon

Only the load writes the warehouse, under the warehouse's writer lock: runs of any
deployment on the machine take turns there. (Not a Prefect tag concurrency limit: taking one
costs seconds a run, for what the lock already guarantees.)
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from prefect import get_run_logger
from prefect.states import Failed, State
from prefect.utilities.annotations import quote

from flows import execution, stages, tasks
from flows.artifacts import publish_run_artifacts
from flows.execution import Work
from flows.lifecycle import claim_staging, clear_dead_staging
from flows.options import RunOptions
from flows.paths import Paths
from flows.runs import RunRecord
from warehouse.publish import writing
from warehouse.queries import reviews_from_pages


@dataclass(slots=True)
class Intake:
    """What a run has to parse (`work`), and what was settled before parsing."""

    work: Work
    fetched: stages.FetchResult = field(default_factory=stages.FetchResult.empty)
    skipped_facts: tuple[str, ...] = ()  # pages left alone as unchanged, as Parquet
    pages_read: int = 0
    pages_skipped: int = 0


def process(
    run: RunRecord, intake: Intake, *, options: RunOptions, paths: Paths, staging_dir: Path
) -> RunRecord | State:
    """Parse, transform, validate and load what `intake` holds; record the run either way."""
    location = options.location()
    started = time.perf_counter()
    batches = execution.run_batches(
        intake.work,
        staging_dir=staging_dir,
        run_id=run.run_id,
        options=options.execution,
    )
    run.stage_seconds["parse"] = round(time.perf_counter() - started, 3)
    run.pages_read = intake.pages_read
    run.pages_failed = intake.fetched.failed + sum(batch.pages_failed for batch in batches)
    run.pages_skipped = intake.pages_skipped + sum(batch.pages_unchanged for batch in batches)
    run.reviews_parsed = sum(batch.reviews_parsed for batch in batches)
    raw = [path for batch in batches for path in batch.raw_paths]
    with execution.start_load(_writer(location, options.writer_limit), run, raw) as load:
        gathered = stages.gather(batches, run.run_id, intake.fetched.quarantine_paths)
        held = reviews_from_pages(location, gathered.page_urls())
        pages_seen = _pages_seen(batches, intake, staging_dir)
        started = time.perf_counter()
        verdict = tasks.validate(
            execution.validation(
                gathered,
                held,
                run_id=run.run_id,
                pages_parsed=sum(batch.pages_parsed for batch in batches),
                reports_dir=str(paths.reports_dir),
                staging_dir=str(staging_dir),
                settings=options.validation,
            )
        )
        run.stage_seconds["validate"] = round(time.perf_counter() - started, 3)
        run = tasks.load(quote(load), verdict, pages_seen, run)

    publish_run_artifacts(run, verdict.top_reasons)
    get_run_logger().info(run.summary_line())
    if run.status == "failed":
        return Failed(message=run.summary_line(), data=run)
    return run


def _pages_seen(batches: list[stages.StagedBatch], intake: Intake, staging_dir: Path) -> str | None:
    """The run's rows of the `pages` table, as a staging file for the load."""
    facts = [
        *intake.fetched.skipped_facts_paths,
        *intake.skipped_facts,
        *(path for batch in batches for path in batch.facts_paths),
    ]
    seen = stages.pages_seen(facts, intake.fetched.web_facts_paths, datetime.now(UTC))
    (path,) = stages.write_parquet(seen, staging_dir / "pages_seen.parquet") or (None,)
    return path


@contextlib.contextmanager
def _writer(location: str, limit: str | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse's writer. Its lock serialises writers on one machine; writers on several
    machines (one `md:` warehouse, several workers) also take a slot of a Prefect global
    concurrency limit, `prefect gcl create warehouse-writer --limit 1`. Strict: a missing
    limit is an error, not a silent free-for-all."""
    with contextlib.ExitStack() as held:
        if limit is not None:
            from prefect.concurrency.sync import concurrency

            held.enter_context(concurrency(limit, occupy=1, strict=True))
        yield held.enter_context(writing(location))


@contextlib.contextmanager
def staging(paths: Paths, run: RunRecord) -> Iterator[Path]:
    """The run's own staging folder, marked as this process's while the run uses it and
    removed when it ends, however it ends; folders left by runs that are gone (killed
    mid-run) are removed first. The folder that holds them stays: another run may be
    creating its own in it at this very moment."""
    for leftover in clear_dead_staging(paths.staging_dir):
        get_run_logger().info("removed the staging folder of a run that is gone: %s", leftover)
    staging_dir = claim_staging(paths.staging_dir, run.run_id)
    try:
        yield staging_dir
    finally:
        shutil.rmtree(staging_dir, ignore_errors=True)
