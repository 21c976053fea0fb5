"""Worker processes: `flows.execution`'s helper (and the fetch stage's page keeper's), and the
run's validation process.

Workers come from a `forkserver` that has already imported the stages, so starting one costs
a fork, not an interpreter and a Prefect import, and no worker inherits the flow's threads.
(Prefect's own ProcessPoolTaskRunner spawns an interpreter per worker and runs the task
engine in it, for each task: see docs/performance.md.)

The validation process is a fresh interpreter, started the moment a run begins (by the
command line before it imports Prefect, or by the flow): it imports Great Expectations
(seconds of CPU) and validates once for practice on the other core while the run starts,
fetches and parses, instead of on the run's critical path, or on a thread that would hold
the run's GIL.

Every process started here ends with the run's process, even after `kill -9`
(`flows.lifecycle.die_with_run`).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from ctypes import c_int
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.process import BaseProcess
from typing import TypeVar

from flows.lifecycle import ProcessId, die_with_run

T = TypeVar("T")

_POOLS: dict[str, Executor] = {}
# What the validation process imports first (Great Expectations: the seconds), then what it
# practises with.
VALIDATION_IMPORT = "expectations.validate"
VALIDATION_STAGE = "flows.stages.validate"
VALIDATION_NICENESS = 10  # and 19 beside worker processes (`lower_validation_priority`)


@dataclass(frozen=True, slots=True)
class _ValidationProcess:
    pool: ProcessPoolExecutor
    # shared integers (plain shared memory: no semaphore to leak when the process is killed)
    wanted: c_int  # set when a validation is asked for: no practice run then
    idle_priority: c_int  # set when worker processes come: they have the CPU first
    pid: c_int  # the process's id, once it runs


_validation: _ValidationProcess | None = None


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


def start_validation_process() -> None:
    """Start the validation process now, unless it runs or this process has imported the
    validation already (then validating here costs nothing more)."""
    global _validation
    if _validation is not None or VALIDATION_IMPORT in sys.modules:
        return
    context = multiprocessing.get_context("spawn")
    shared = tuple(context.RawValue("i", 0) for _ in range(3))
    pool = ProcessPoolExecutor(
        max_workers=1,
        mp_context=context,
        initializer=_ready_validation_process,
        initargs=(ProcessId.current(), *shared),
    )
    with _main_module_not_rerun():
        pool.submit(os.getpid)  # a pool starts its process with its first job
    _validation = _ValidationProcess(pool, *shared)


def in_validation_process(
    job: Callable[..., T], *args: object, **kwargs: object
) -> Callable[[], T]:
    """`job(*args, **kwargs)` submitted to the validation process at once; waiting for its
    result is the returned call. Without a validation process, the call runs it here."""
    here = functools.partial(job, *args, **kwargs)
    if _validation is None:
        return here
    _validation.wanted.value = 1
    try:
        future = _validation.pool.submit(job, *args, **kwargs)
    except BrokenProcessPool:  # it died (killed, out of memory): validate here instead
        return here
    return future.result


def stop_validation_process() -> None:
    """End the validation process at once. Nothing in it needs a clean exit (a validation
    has written its tables when it returns), and one would cost the command most of a
    second: an interpreter holding Great Expectations winding down."""
    global _validation
    if _validation is None:
        return
    validation, _validation = _validation, None
    deadline = time.monotonic() + 2
    while not validation.pid.value and time.monotonic() < deadline:  # not yet started
        time.sleep(0.01)
    if validation.pid.value:
        with contextlib.suppress(OSError):
            os.kill(validation.pid.value, signal.SIGKILL)
    validation.pool.shutdown(wait=True, cancel_futures=True)


def lower_validation_priority() -> None:
    """Let worker processes have the CPU before the validation process: it imports and
    practises on what they leave (validation starts only once they are done)."""
    if _validation is None:
        return
    _validation.idle_priority.value = 1
    if _validation.pid.value:  # else it lowers its own when it starts
        _idle(_validation.pid.value)


def _ready_validation_process(run: ProcessId, wanted: c_int, idle: c_int, pid: c_int) -> None:
    die_with_run(run)
    pid.value = os.getpid()
    # What this process does first (import, practise) is needed after what Prefect's server
    # and the run do at the same time: they have the CPU first.
    with contextlib.suppress(OSError):
        os.nice(VALIDATION_NICENESS)
    # tqdm (through Great Expectations) would make a process-shared lock, which a killed
    # process leaves registered with multiprocessing's resource tracker: a warning at exit.
    tqdm = importlib.import_module("tqdm")
    tqdm.tqdm.set_lock(threading.RLock())
    if idle.value:
        _idle(pid.value)
    importlib.import_module(VALIDATION_IMPORT)
    if not wanted.value:
        importlib.import_module(VALIDATION_STAGE).warm_up()


def _idle(pid: int) -> None:
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, pid, 19)


def import_in_background(module: str) -> None:
    """Import `module` on a thread at the lowest CPU priority, where a thread has its own
    (Linux): the import takes the CPU the workers leave instead of competing with them.
    Threads the import starts keep that priority (numpy's BLAS pool, for one); validation
    does no linear algebra."""
    if module in sys.modules:
        return

    def import_idly() -> None:
        if sys.platform == "linux":
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        importlib.import_module(module)

    threading.Thread(target=import_idly, name=f"import {module}", daemon=True).start()


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
