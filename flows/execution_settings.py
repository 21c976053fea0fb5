"""Where a run's batches run and how large they are: the execution's settings, apart from
`flows.execution` itself so that reading them (the command line's options) costs no import
of Prefect."""

from __future__ import annotations

from dataclasses import dataclass

RUNNERS = ("auto", "threads", "processes", "dask")
# Below this many pages, starting worker processes costs more than parsing on threads.
PROCESSES_FROM_PAGES = 1_000
# Runs of fewer pages validate in a process of their own, started before they need it: its
# import of Great Expectations overlaps the run's start. Larger runs validate in their own
# process, importing it while their workers parse (where it hides as well), without a
# second interpreter holding Great Expectations beside the workers (~250 MB more at peak).
VALIDATION_PROCESS_BELOW_PAGES = 10_000


@dataclass(frozen=True, slots=True)
class ExecutionOptions:
    """Where a run's batches run, and how large they are."""

    runner: str = "auto"  # auto (processes from PROCESSES_FROM_PAGES) | threads | processes | dask
    batch_size: int | None = None  # pages per batch; None: see `flows.execution.batch_sizes`
    dask_address: str | None = None  # an existing Dask scheduler; None starts a local one
