"""The part of every run after pages are in hand: parse and transform in batches, validate,
load, report. Shared by the ingest and reprocess flows.

Tasks hand each other file paths and counts, never frames, and keep no result cache: each
run works on new pages, and hashing a run's inputs for cache keys cost seconds. Only the
load task writes the warehouse, under the warehouse's writer lock: runs of any deployment on
the machine take turns there. (Not a Prefect tag concurrency limit: acquiring one cost ~2 s
a run, measured, for what the lock already guarantees.)
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import math
import os
import pickle
import shutil
import sys
import threading
import time
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.states import Failed, State
from prefect.task_runners import TaskRunner
from prefect.utilities.annotations import quote

from expectations.settings import ValidationSettings
from flows import stages
from flows.artifacts import publish_run_artifacts
from flows.lifecycle import claim_staging, clear_dead_staging
from flows.pages import PageRef
from flows.workers import pool, start_forkserver, worker_count, worker_pool
from reviewhouse.settings import Paths
from warehouse.load import LoadBatch, RunRecord, load_while_validating, record_failed_run
from warehouse.publish import writing
from warehouse.queries import reviews_from_pages

LOGGED_PROBLEMS = 20  # quarantine rows named one by one in the run's log


@dataclass(slots=True)
class Intake:
    """What a run has to parse, and what was settled before parsing."""

    pages: list[PageRef | str] = field(default_factory=list)  # a path: see `local_pages`
    datasets: list[tuple[Path, str | None]] = field(default_factory=list)  # (file, hash loaded)
    movies: pl.DataFrame | None = None  # titles from companion movies tables
    fetched: stages.FetchResult = field(default_factory=stages.FetchResult.empty)
    skipped_facts: tuple[str, ...] = ()  # pages left alone as unchanged, as Parquet
    pages_read: int = 0
    pages_skipped: int = 0


@dataclass(frozen=True, slots=True)
class ValidatedBatch:
    """The validate task's hand-off: where the checked frames are, and what was found."""

    directory: str
    reviews_paths: tuple[str, ...]
    reviews_quarantined: int
    batch_failures: list[str] = field(default_factory=list)
    warnings: dict[str, int] = field(default_factory=dict)
    report_path: str | None = None
    seconds: float = 0.0
    top_reasons: list[tuple[str, int]] = field(default_factory=list)


@task(
    name="parse-and-transform",
    task_run_name="parse-and-transform batch {batch_number}",
    cache_policy=NO_CACHE,
)
def parse_and_transform(
    pages_file: str,
    batch_number: int,
    staging_dir: str,
    run_id: str,
    max_page_bytes: int = stages.parse.MAX_PAGE_BYTES,
    handed_out: Future[stages.StagedBatch] | None = None,
) -> stages.StagedBatch:
    """Parse and transform one batch (its pages listed in `pages_file`), or, when the run has
    worker processes, wait for them to do it (`handed_out`)."""
    if handed_out is None:
        staged = stages.stage_batch_file(
            pages_file,
            batch_number=batch_number,
            staging_dir=Path(staging_dir),
            run_id=run_id,
            max_page_bytes=max_page_bytes,
        )
    else:
        staged = handed_out.result()
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
    batches: list[stages.StagedBatch],
    fetched: stages.FetchResult,
    skipped_files: tuple[str, ...],
    *,
    run_id: str,
    warehouse: str,
    reports_dir: str,
    staging_dir: str,
    settings: ValidationSettings,
) -> ValidatedBatch:
    # imported here, not at the top: only the process that validates pays for the import
    from expectations.validate import validate_batch

    started = time.perf_counter()
    # a lazy scan of the batch files: the run's reviews, quotes and all, are never in memory
    staged = stages.scan_staged(batches, fetched.quarantine_paths)
    reviews = staged.reviews
    snapshots, unnamed_scorecards = stages.score_snapshots(batches, run_id)
    dims = stages.dimensions(reviews, snapshots)
    page_urls = reviews.select(pl.col("source_url").unique()).collect().to_series().to_list()
    report = validate_batch(
        run_id=run_id,
        reviews=reviews,
        movies=dims["movies"],
        critics=dims["critics"],
        publications=dims["publications"],
        pages_parsed=sum(batch.pages_parsed for batch in batches),
        warehouse_counts=reviews_from_pages(warehouse, page_urls),
        reports_dir=reports_dir,
        settings=settings,
    )
    directory = Path(staging_dir) / "validated"
    directory.mkdir(parents=True, exist_ok=True)
    if staged.review_files and report.quarantine.is_empty():
        reviews_paths = staged.review_files  # validation took nothing out: load them as they are
    else:
        reviews_paths = (str(directory / "reviews.parquet"),)
        report.reviews.lazy().sink_parquet(reviews_paths[0], compression="lz4")
    # the dimensions change only if validation took rows out
    final_dims = stages.dimensions(report.reviews, snapshots) if report.quarantine.height else dims
    frames = {
        **final_dims,
        "score_snapshots": snapshots,
        "quarantine": pl.concat([staged.quarantine, unnamed_scorecards, report.quarantine]),
        "validation_results": report.results,
        "pages_seen": stages.pages_seen(
            batches,
            (*fetched.skipped_facts_paths, *skipped_files),
            fetched.web_facts_paths,
            datetime.now(UTC),
        ),
    }
    for name, frame in frames.items():
        frame.write_parquet(directory / f"{name}.parquet", compression="lz4")
    logger = get_run_logger()
    quarantine = frames["quarantine"]
    for row in quarantine.head(LOGGED_PROBLEMS).iter_rows(named=True):
        logger.warning("quarantined (%s) %s: %s", row["stage"], row["source_url"], row["reason"])
    if quarantine.height > LOGGED_PROBLEMS:
        logger.warning(
            "... and %d more in the quarantine table", quarantine.height - LOGGED_PROBLEMS
        )
    for reason, count in report.warnings.items():
        logger.warning("validation warning: %s (%d reviews)", reason, count)
    for failure in report.batch_failures:
        logger.error("batch expectation failed: %s", failure)
    return ValidatedBatch(
        directory=str(directory),
        reviews_paths=reviews_paths,
        reviews_quarantined=report.quarantine.height,
        batch_failures=report.batch_failures,
        warnings=report.warnings,
        report_path=str(report.docs_index) if report.docs_index else None,
        seconds=time.perf_counter() - started,
        top_reasons=top_reasons(quarantine),
    )


@task(name="load-warehouse", cache_policy=NO_CACHE)
def load(
    validation: PrefectFuture[ValidatedBatch],
    raw_paths: tuple[str, ...],
    *,
    warehouse: str,
    run: RunRecord,
    writer_limit: str | None = None,
) -> RunRecord:
    """Load the run: its raw layer while `validation` runs, the rest once the batch passed;
    after a failed validation, only the run's record, quarantine and results."""
    started = time.perf_counter()

    def validated_batch() -> LoadBatch | None:
        validated = validation.result()
        record_validation(run, validated)
        if validated.batch_failures:
            return None
        frames = _validated_frames(validated)
        return LoadBatch(
            reviews=list(validated.reviews_paths),
            movies=frames["movies"],
            critics=frames["critics"],
            publications=frames["publications"],
            quarantine=frames["quarantine"],
            pages_seen=frames["pages_seen"],
            score_snapshots=frames["score_snapshots"],
            extra_tables={"validation_results": frames["validation_results"]},
        )

    with writer_slot(writer_limit), writing(warehouse) as con:
        # opening the writer: waiting for the lock and, when publishing by copy, the copy
        run.stage_seconds["open_writer"] = round(time.perf_counter() - started, 3)
        run.ended_at = datetime.now(UTC)
        if load_while_validating(con, list(raw_paths), run, validated_batch) is None:
            frames = _validated_frames(validation.result())
            results = {"validation_results": frames["validation_results"]}
            record_failed_run(con, run, frames["quarantine"], results)
    return run


def record_validation(run: RunRecord, validated: ValidatedBatch) -> None:
    """What validation found, into the run's record."""
    run.stage_seconds["validate"] = round(validated.seconds, 3)
    run.reviews_quarantined = validated.reviews_quarantined
    run.warnings = validated.warnings
    run.report_path = validated.report_path
    run.status = "failed" if validated.batch_failures else "completed"
    if validated.batch_failures:
        run.error_summary = "; ".join(validated.batch_failures)


def _validated_frames(validated: ValidatedBatch) -> dict[str, list[str]]:
    """The validate task's Parquet files by table; DuckDB reads them itself, so the batch
    never passes through Python memory."""
    return {path.stem: [str(path)] for path in Path(validated.directory).glob("*.parquet")}


def writer_slot(limit: str | None) -> contextlib.AbstractContextManager[object]:
    """The warehouse lock serialises writers on one machine; writers on several machines
    (one `md:` warehouse, several workers) also take a slot of a Prefect global concurrency
    limit, `prefect gcl create warehouse-writer --limit 1`. Strict: a missing limit is an error,
    not a silent free-for-all."""
    if limit is None:
        return contextlib.nullcontext()
    from prefect.concurrency.sync import concurrency

    return concurrency(limit, occupy=1, strict=True)


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How a run works: batch size, validation thresholds, where the fan-out runs."""

    batch_size: int | None = None  # pages per parse task; None: see `batch_sizes`
    validation: ValidationSettings = field(default_factory=ValidationSettings)
    runner: str = "auto"  # auto | threads | processes | dask
    dask_address: str | None = None  # an existing Dask scheduler; None starts a local one
    # a Prefect global concurrency limit held while loading, for writers on several machines
    writer_limit: str | None = None
    max_page_bytes: int = stages.parse.MAX_PAGE_BYTES  # a larger page is refused whole


RUNNERS = ("auto", "threads", "processes", "dask")
# Below this many pages, starting worker processes costs more than parsing on threads.
PROCESSES_FROM_PAGES = 1_000


@dataclass(frozen=True, slots=True)
class FanOut:
    """The fan-out's work list, kept in files: a subflow's parameters go to the Prefect API,
    which refuses large ones, and Prefect walks every element of a task's parameters
    looking for futures (seconds for a run of ten thousand pages). So each batch's pages
    are a file of their own, and tasks are handed its path."""

    page_files: list[str]  # one pickled list of PageRef a batch
    datasets: list[tuple[Path, str | None]]
    movies: pl.DataFrame | None
    staging_dir: str
    run_id: str
    workers: str | None = None  # key of this run's worker pool, if it has one
    max_page_bytes: int = stages.parse.MAX_PAGE_BYTES

    def save(self) -> str:
        path = Path(self.staging_dir) / "fan-out.pickle"
        path.write_bytes(pickle.dumps(self))
        return str(path)


def fan_out(work_list: str) -> list[stages.StagedBatch]:
    """One parse-and-transform task per batch of pages, one import task per dataset."""
    work = pickle.loads(Path(work_list).read_bytes())
    page_files, datasets, movies, staging_dir, run_id = (
        work.page_files,
        work.datasets,
        work.movies,
        work.staging_dir,
        work.run_id,
    )
    executor = pool(work.workers)
    # Handed to the workers here, in order: task runs start in no set order, and the last,
    # smaller batches must be the last to run (see `batch_sizes`).
    handed_out = [
        executor.submit(
            stages.stage_batch_file,
            path,
            batch_number=number,
            staging_dir=Path(staging_dir),
            run_id=run_id,
            max_page_bytes=work.max_page_bytes,
        )
        if executor
        else None
        for number, path in enumerate(page_files)
    ]
    futures = parse_and_transform.map(
        page_files,
        range(len(page_files)),
        staging_dir=staging_dir,
        run_id=run_id,
        max_page_bytes=work.max_page_bytes,
        handed_out=handed_out,
    )
    dataset_futures = [
        import_dataset.submit(path, len(page_files) + number, staging_dir, run_id, movies, known)
        for number, (path, known) in enumerate(datasets)
    ]
    return [future.result() for future in [*futures, *dataset_futures]]


fan_out_flow = flow(name="parse-and-transform-batches", flow_run_name="parse-and-transform")(
    fan_out
)


def uses_worker_processes(options: RunOptions, pages: int) -> bool:
    """`processes`, or `auto` once a run has enough pages to repay starting the workers."""
    return options.runner == "processes" or (
        options.runner == "auto" and pages >= PROCESSES_FROM_PAGES
    )


def prepare_workers(options: RunOptions, pages: int) -> None:
    """Start what the run's worker processes fork from as soon as the run knows it will
    have some: about as many pages as `pages` (saved files; pages found while crawling
    are not known yet)."""
    if uses_worker_processes(options, pages):
        start_forkserver()


def task_runner(options: RunOptions) -> TaskRunner | None:
    """A task runner for the fan-out subflow (Dask); None keeps the flow's own threads."""
    if options.runner == "dask":
        from prefect_dask import DaskTaskRunner

        if options.dask_address:
            return DaskTaskRunner(address=options.dask_address)
        return DaskTaskRunner(cluster_kwargs={"processes": True, "threads_per_worker": 1})
    if options.runner not in ("threads", "auto", "processes"):
        raise ValueError(f"unknown runner {options.runner!r}; use one of {', '.join(RUNNERS)}")
    return None


def process(
    run: RunRecord,
    intake: Intake,
    *,
    location: str,
    paths: Paths,
    staging_dir: Path,
    options: RunOptions,
) -> RunRecord | State:
    """Parse, transform, validate and load what `intake` holds; record the run either way."""
    logger = get_run_logger()
    validation: PrefectFuture[ValidatedBatch] | None = None
    try:
        started = time.perf_counter()
        _import_in_background(VALIDATION_MODULE)
        runner = task_runner(options)
        with contextlib.ExitStack() as resources:
            workers, worker_processes = None, 1
            if uses_worker_processes(options, len(intake.pages)):
                workers, worker_processes = resources.enter_context(worker_pool()), worker_count()
            sizes = batch_sizes(len(intake.pages), options.batch_size, worker_processes)
            chunks = chunk(intake.pages, sizes)
            page_files = [
                stages.save_pages(pages, staging_dir / f"batch-{number:05d}.pages.pickle")
                for number, pages in enumerate(chunks)
            ]
            work_list = FanOut(
                page_files,
                intake.datasets,
                intake.movies,
                str(staging_dir),
                run.run_id,
                workers,
                options.max_page_bytes,
            ).save()
            if runner is None:
                batches = fan_out(work_list)
            else:
                batches = fan_out_flow.with_options(task_runner=runner)(work_list)
        run.stage_seconds["parse_transform"] = round(time.perf_counter() - started, 3)
        run.pages_read = intake.pages_read
        run.pages_failed = intake.fetched.failed + sum(batch.pages_failed for batch in batches)
        run.pages_skipped = intake.pages_skipped + sum(batch.pages_unchanged for batch in batches)
        run.reviews_parsed = sum(batch.reviews_parsed for batch in batches)
        validation = validate.submit(
            quote(batches),
            quote(intake.fetched),
            intake.skipped_facts,
            run_id=run.run_id,
            warehouse=location,
            reports_dir=str(paths.reports_dir),
            staging_dir=str(staging_dir),
            settings=options.validation,
        )
        raw_paths = tuple(path for batch in batches for path in batch.raw_paths)
        # quoted: the load starts now, and waits for the validation itself
        run = load(
            quote(validation),
            raw_paths,
            warehouse=location,
            run=run,
            writer_limit=options.writer_limit,
        )
        validated = validation.result()
    finally:
        if validation is not None:
            validation.wait()  # it reads the staging files until it is done
        shutil.rmtree(staging_dir, ignore_errors=True)
        _remove_if_empty(paths.staging_dir)

    publish_run_artifacts(run, validated.top_reasons)
    logger.info(run.summary_line())
    if run.status == "failed":
        return Failed(message=run.summary_line(), data=run)
    return run


# Great Expectations takes seconds to import; the flow's process imports it in the background
# while the fan-out runs (see `_import_idly`), so the validate task waits for little of it.
VALIDATION_MODULE = "expectations.validate"


def _import_in_background(module: str) -> None:
    if module not in sys.modules:
        threading.Thread(
            target=_import_idly, args=(module,), name=f"import {module}", daemon=True
        ).start()


def _import_idly(module: str) -> None:
    """Import `module` at the lowest CPU priority, where a thread has its own (Linux): the
    import takes the CPU the parse workers leave instead of competing with them, and what
    is left of it runs once they are done (a run of 71,628 pages: 0.7 s sooner, measured).
    Threads the import starts keep that priority (numpy's BLAS pool, for one); validation
    does no linear algebra."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    importlib.import_module(module)


def top_reasons(quarantine: pl.DataFrame, limit: int = 5) -> list[tuple[str, int]]:
    """The most frequent quarantine reasons, without the per-row evidence after ': '."""
    if quarantine.is_empty():
        return []
    reasons = quarantine.select(
        pl.concat_str(pl.col("stage"), pl.lit(": "), pl.col("reason").str.replace(r": \w+=.*$", ""))
    ).to_series()
    counts = reasons.value_counts(sort=True).head(limit)
    return [(reason, count) for reason, count in counts.iter_rows()]


def claim_staging_dir(paths: Paths, run: RunRecord) -> Path:
    """The run's own staging folder, marked as this process's; folders left by runs that
    are gone (killed mid-run) are removed first."""
    for leftover in clear_dead_staging(paths.staging_dir):
        get_run_logger().info("removed the staging folder of a run that is gone: %s", leftover)
    return claim_staging(paths.staging_dir, run.run_id)


def new_run(flow_name: str, parameters: dict, sources: list[str]) -> RunRecord:
    from prefect.runtime import flow_run

    return RunRecord(
        run_id=f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
        started_at=datetime.now(UTC),
        flow_run_id=str(flow_run.id) if flow_run.id else None,
        flow_name=flow_name,
        parameters=parameters,
        sources=sources,
    )


MAX_BATCHES = 40
MIN_BATCH = 50


def batch_sizes(pages: int, size: int | None = None, workers: int = 1) -> list[int]:
    """How many pages each parse task takes: `size` each if given, else batches of at least
    50 pages and never more than 40 of them, so that a run of any size stays within a few
    dozen task runs and Prefect's bookkeeping stays small against the work.

    With several workers, the last batches are smaller: for each worker one of half the
    size, then one of a quarter. Workers take batches in order, so they run out of work
    within a small batch of each other; with equal batches one core of two sat idle for up
    to a whole batch at the end of a run (1.4 s at 1,791 pages a batch, measured).

    >>> batch_sizes(120), batch_sizes(1_000, size=300), len(batch_sizes(60_000))
    ([50, 50, 20], [300, 300, 300, 100], 40)
    >>> sizes = batch_sizes(60_000, workers=2)
    >>> sizes[:2], sizes[-5:], sum(sizes), len(sizes)
    ([1600, 1600], [1600, 800, 800, 400, 400], 60000, 40)
    """
    if size is None:
        count = max(1, min(MAX_BATCHES, math.ceil(pages / MIN_BATCH)))
        size = max(MIN_BATCH, math.ceil(pages / count))
        if workers > 1 and count >= 4 * workers and size // 4 >= MIN_BATCH:
            return _tapered(pages, count, workers)
    full, rest = divmod(pages, size)
    return [size] * full + ([rest] if rest else []) or [0]


def _tapered(pages: int, count: int, workers: int) -> list[int]:
    """`count` batches of `pages`, in quarters: four each, then two, then one a worker."""
    quarters = [4] * (count - 2 * workers) + [2] * workers + [1] * workers
    per_quarter = pages / sum(quarters)
    ends = [round(per_quarter * total) for total in itertools.accumulate(quarters)]
    return [end - start for start, end in zip([0, *ends], ends, strict=False)]


def chunk(pages: list[PageRef | str], sizes: list[int]) -> list[list[PageRef | str]]:
    """`pages` cut into consecutive batches of `sizes` pages."""
    starts = [0, *itertools.accumulate(sizes)]
    return [pages[start : start + size] for start, size in zip(starts, sizes, strict=False)]


def _remove_if_empty(directory: Path) -> None:
    with contextlib.suppress(OSError):
        directory.rmdir()
