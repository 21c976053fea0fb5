"""Where a run's batches run and how large they are: the execution's settings, apart from
`flows.execution` itself so that reading them (the command line's options) costs no import
of Prefect."""

from __future__ import annotations

from dataclasses import dataclass

RUNNERS = ("auto", "threads", "processes", "dask")
# Below this many pages, starting worker processes costs more than parsing on threads.
PROCESSES_FROM_PAGES = 1_000


@dataclass(frozen=True, slots=True)
class ExecutionOptions:
    """Where a run's batches run, and how large they are."""

    runner: str = "auto"  # auto (processes from PROCESSES_FROM_PAGES) | threads | processes | dask
    batch_size: int | None = None  # pages per batch; None: see `flows.execution.batch_sizes`
    dask_address: str | None = None  # an existing Dask scheduler; None starts a local one
