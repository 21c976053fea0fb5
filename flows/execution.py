"""How a run's work is spread over the machine: two doors, "run these batches" and
"validate this".

    batches = run_batches(work, staging_dir=staging, run_id=run.run_id, options=options)
    verdict = tasks.validate(validation(gathered, held, ...))

Behind them: batch sizes (`batch_sizes`), worker processes started from a forkserver
(`flows.workers`), batches handed to the workers in order up front (`flows.batches`),
validation in a process of its own started before the run needs it (`flows.workers`; runs
of VALIDATION_PROCESS_BELOW_PAGES pages and more import it in the background instead), and
the load of the raw records beside validation (`start_load`). Prefect's tasks stay the unit
of work: one per batch, visible in the UI, each waiting for its own batch. Nothing else
knows of this.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
from prefect import flow
from prefect.task_runners import TaskRunner

from flows import batches, stages, tasks, workers
from flows.execution_settings import (
    PROCESSES_FROM_PAGES,
    RUNNERS,
    VALIDATION_PROCESS_BELOW_PAGES,
    ExecutionOptions,
)
from flows.fetch import MAX_PAGE_BYTES, PageRef
from flows.pages import SavedFiles
from flows.runs import RunRecord
from flows.stages import StagedBatch
from warehouse.load import Load, Table

if TYPE_CHECKING:
    import duckdb

MAX_BATCHES = 40  # a run of any size stays within a few dozen task runs
MIN_BATCH = 50


@dataclass(frozen=True, slots=True)
class Work:
    """What a run stages: pages (then saved files never loaded), and CSV datasets."""

    pages: list[PageRef] = field(default_factory=list)
    files: SavedFiles = field(default_factory=SavedFiles)
    datasets: list[tuple[Path, str | None]] = field(default_factory=list)  # (file, hash loaded)
    movies: pl.DataFrame | None = None  # titles from companion movies tables
    max_page_bytes: int = MAX_PAGE_BYTES

    @property
    def page_count(self) -> int:
        return len(self.pages) + len(self.files)


def run_batches(
    work: Work, *, staging_dir: Path, run_id: str, options: ExecutionOptions
) -> list[StagedBatch]:
    """Stage `work` in batches under `staging_dir`: one parse-and-transform task per batch of
    pages, one import task per dataset. The batches, in order."""
    runner = task_runner(options)
    _prepare_validation(work.page_count)
    with contextlib.ExitStack() as resources:
        pool, worker_processes = None, 1
        if uses_worker_processes(options, work.page_count):
            pool = resources.enter_context(workers.worker_pool())
            worker_processes = workers.worker_count()
        sizes = batch_sizes(work.page_count, options.batch_size, worker_processes)
        page_files = [
            batches.save_batch(pages, files, staging_dir / f"batch-{number:05d}.pages.pickle")
            for number, (pages, files) in enumerate(_cut(work, sizes))
        ]
        plan = _Plan(
            page_files,
            work.datasets,
            work.movies,
            work.max_page_bytes,
            str(staging_dir),
            run_id,
            pool,
        )
        if runner is None:
            return _fan_out(plan)
        path = staging_dir / "fan-out.pickle"
        path.write_bytes(pickle.dumps(plan))
        return _fan_out_flow.with_options(task_runner=runner)(str(path))


@dataclass(frozen=True, slots=True)
class _Plan:
    """The fan-out's work list. For a subflow (Dask) it is a file: a subflow's parameters go
    to the Prefect API, which refuses large ones."""

    page_files: list[str]  # one a batch (`flows.batches.save_batch`)
    datasets: list[tuple[Path, str | None]]
    movies: pl.DataFrame | None
    max_page_bytes: int
    staging_dir: str
    run_id: str
    pool: str | None  # key of this run's worker pool, if it has one


def _fan_out(plan: _Plan) -> list[StagedBatch]:
    executor = workers.pool(plan.pool)
    staging_dir, run_id = Path(plan.staging_dir), plan.run_id
    jobs = [
        functools.partial(
            batches.stage_batch_file,
            path,
            batch_number=number,
            staging_dir=staging_dir,
            run_id=run_id,
            max_page_bytes=plan.max_page_bytes,
        )
        for number, path in enumerate(plan.page_files)
    ]
    # Handed to the workers here, in order: task runs start in no set order, and the last,
    # smaller batches must be the last to run (see `batch_sizes`).
    if executor is not None:
        jobs = [executor.submit(job).result for job in jobs]
    futures = tasks.parse_and_transform.map(jobs, range(len(jobs)))
    dataset_futures = [
        tasks.import_dataset.submit(
            path, len(jobs) + number, plan.staging_dir, run_id, plan.movies, known
        )
        for number, (path, known) in enumerate(plan.datasets)
    ]
    return [future.result() for future in [*futures, *dataset_futures]]


@flow(name="parse-and-transform-batches", flow_run_name="parse-and-transform")
def _fan_out_flow(plan_file: str) -> list[StagedBatch]:
    return _fan_out(pickle.loads(Path(plan_file).read_bytes()))


def uses_worker_processes(options: ExecutionOptions, pages: int) -> bool:
    """`processes`, or `auto` once a run has enough pages to repay starting the workers."""
    return options.runner == "processes" or (
        options.runner == "auto" and pages >= PROCESSES_FROM_PAGES
    )


def prepare_workers(options: ExecutionOptions, pages: int) -> None:
    """Start what the run's later stages run in as soon as the run knows about how many
    `pages` it has (saved files; pages found while crawling are not known yet): where it
    validates, and the forkserver of worker processes if it will have some (they then have
    the CPU before the validation process)."""
    _prepare_validation(pages)
    if uses_worker_processes(options, pages):
        workers.start_forkserver()
        workers.lower_validation_priority()


def _prepare_validation(pages: int) -> None:
    """A validation process for a run of fewer than VALIDATION_PROCESS_BELOW_PAGES pages;
    for a larger one, none (the command line may have started one before it knew), and
    the validation imported here in the background."""
    if pages < VALIDATION_PROCESS_BELOW_PAGES:
        workers.start_validation_process()
    else:
        workers.stop_validation_process()
        workers.import_in_background(workers.VALIDATION_IMPORT)


def validation(
    gathered: stages.Gathered, held: pl.DataFrame | None, **arguments: Any
) -> Callable[[], stages.Verdict]:
    """The run's validation (`stages.validate_staged`), begun in the validation process when
    there is one; the call waits for its verdict."""
    return workers.in_validation_process(stages.validate_staged, gathered, held, **arguments)


def task_runner(options: ExecutionOptions) -> TaskRunner | None:
    """A task runner for the fan-out subflow (Dask); None keeps the flow's own threads."""
    if options.runner == "dask":
        from prefect_dask import DaskTaskRunner

        if options.dask_address:
            return DaskTaskRunner(address=options.dask_address)
        return DaskTaskRunner(cluster_kwargs={"processes": True, "threads_per_worker": 1})
    if options.runner not in RUNNERS:
        raise ValueError(f"unknown runner {options.runner!r}; use one of {', '.join(RUNNERS)}")
    return None


def start_load(
    writer: contextlib.AbstractContextManager[duckdb.DuckDBPyConnection], run: RunRecord, raw: Table
) -> Load:
    """The run's load, begun: its writer opened and its raw records going in on the load's
    own thread while the run validates. Use it as a context manager, and `finish` or
    `abandon` it."""
    load = Load(writer, run)
    load.begin(raw, alongside=True)
    return load


def batch_sizes(pages: int, size: int | None = None, workers: int = 1) -> list[int]:
    """How many pages each batch takes: `size` each if given, else batches of at least
    MIN_BATCH pages and never more than MAX_BATCHES of them, so that Prefect's bookkeeping
    stays small against the work.

    With several workers, the last batches are smaller: for each worker one of half the
    size, then one of a quarter. Workers take batches in order, so they run out of work
    within a small batch of each other, instead of one idling for up to a whole batch.

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


def _cut(work: Work, sizes: list[int]) -> list[tuple[list[PageRef], list[str]]]:
    """`work`'s pages, then its saved files, cut into consecutive batches of `sizes`."""
    pages, files = work.pages, work.files.paths
    starts = [0, *itertools.accumulate(sizes)]
    return [
        (pages[start:end], files[max(0, start - len(pages)) : max(0, end - len(pages))])
        for start, end in itertools.pairwise(starts)
    ]
