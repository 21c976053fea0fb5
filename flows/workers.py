"""Worker processes: `flows.execution`'s helper (and the fetch stage's page keeper's).

Workers come from a `forkserver` that has already imported the stages, so starting one costs
a fork, not an interpreter and a Prefect import, and no worker inherits the flow's threads.
(Prefect's own ProcessPoolTaskRunner spawns an interpreter per worker and runs the task
engine in it, for each task: see docs/performance.md.)

Every process started here ends with the run's process, even after `kill -9`
(`flows.lifecycle.die_with_run`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from multiprocessing import forkserver
from multiprocessing.process import BaseProcess

from flows.lifecycle import ProcessId, die_with_run

_POOLS: dict[str, Executor] = {}


def process_context() -> multiprocessing.context.ForkServerContext:
    """Where every worker process starts from: a forkserver that has imported the stages
    (with the job that stages a batch)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["flows.batches"])
    return context


def start_forkserver() -> None:
    """Start the forkserver now. It imports the stages in the background while the run lists
    its pages, instead of the first worker waiting for it."""
    process_context()  # sets what the forkserver preloads, before it starts
    with _main_module_not_rerun():
        forkserver.ensure_running()


def start_process(target: Callable[..., object], *args: object) -> BaseProcess:
    """One worker process running `target(*args)`, ended with the run's process."""
    process = process_context().Process(
        target=_run_tied, args=(ProcessId.current(), target, *args), daemon=True
    )
    with _main_module_not_rerun():
        process.start()
    return process


@contextlib.contextmanager
def worker_pool(workers: int | None = None) -> Iterator[str]:
    """A pool of worker processes for the block; yields the key tasks look it up by."""
    key = uuid.uuid4().hex
    count = workers or worker_count()
    with ProcessPoolExecutor(
        max_workers=count,
        mp_context=process_context(),
        initializer=die_with_run,
        initargs=(ProcessId.current(),),
    ) as pool:
        with _main_module_not_rerun():
            _start_workers(pool, count)
        _POOLS[key] = pool
        try:
            yield key
        finally:
            del _POOLS[key]


def _run_tied(run: ProcessId, target: Callable[..., object], *args: object) -> None:
    """`target(*args)` in a process that dies with its parent (see `start_process`)."""
    die_with_run(run)
    target(*args)


def worker_count() -> int:
    """How many worker processes a pool starts by default: one per core."""
    return os.cpu_count() or 1


def pool(key: str | None) -> Executor | None:
    """The pool started under `key` in this process, if any."""
    return _POOLS.get(key) if key else None


def _start_workers(pool: ProcessPoolExecutor, count: int) -> None:
    """Start every worker now: the pool starts one per submitted job while none is idle."""
    for started in [pool.submit(os.getpid) for _ in range(count)]:
        started.result()


@contextlib.contextmanager
def _main_module_not_rerun() -> Iterator[None]:
    """Start processes without re-running the parent's main script in each of them.

    multiprocessing re-runs a script `__main__` in every new process so that functions
    defined there can be found; workers only run functions importable by name, and the main
    script here is the `reviewhouse` command (or a deployment's runner), whose imports
    (Prefect among them) would cost each worker seconds of CPU before its first batch.
    """
    main = sys.modules["__main__"]
    path = main.__dict__.pop("__file__", None)
    try:
        yield
    finally:
        if path is not None:
            main.__file__ = path
