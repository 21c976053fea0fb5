"""The fan-out's worker processes: started up front, without re-running the parent's script."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading

import pytest

from flows.pipeline import (
    MAX_BATCHES,
    PROCESSES_FROM_PAGES,
    _import_in_background,
    batch_sizes,
    chunk,
)
from flows.workers import pool, worker_pool


def main_script() -> str | None:
    return sys.modules["__main__"].__dict__.get("__file__")


def parent_death_signal() -> int:
    """The signal Linux sends this process when its parent exits (0: none)."""
    value = ctypes.c_int()
    ctypes.CDLL(None, use_errno=True).prctl(2, ctypes.byref(value), 0, 0, 0)  # PR_GET_PDEATHSIG
    return value.value


@pytest.mark.skipif(sys.platform != "linux", reason="a Linux parent-death signal")
def test_workers_are_killed_when_their_parent_exits():
    with worker_pool(2) as key:
        executor = pool(key)
        assert executor is not None
        signals = {executor.submit(parent_death_signal).result() for _ in range(4)}
    assert signals == {signal.SIGKILL}
    assert parent_death_signal() == 0  # the run's own process is left as it was


def test_workers_start_up_front_without_rerunning_the_main_script():
    parent_script = main_script()
    with worker_pool(2) as key:
        executor = pool(key)
        assert executor is not None
        assert main_script() == parent_script  # restored once the workers are started
        assert len(executor._processes) == 2  # type: ignore[attr-defined]
        scripts = {executor.submit(main_script).result() for _ in range(4)}
        pids = {executor.submit(os.getpid).result() for _ in range(8)}
    assert parent_script is None or parent_script not in scripts
    assert os.getpid() not in pids
    assert pool(key) is None


PREPARE = """
import psutil
from flows.pipeline import RunOptions, prepare_workers
prepare_workers(RunOptions(runner="{runner}"), {pages})
children = psutil.Process().children()
print(any("forkserver" in " ".join(child.cmdline()) for child in children))
"""


def forkserver_started(runner: str, pages: int) -> bool:
    # a fresh interpreter: a forkserver, once started, serves the whole process
    result = subprocess.run(
        [sys.executable, "-c", PREPARE.format(runner=runner, pages=pages)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip() == "True"


def test_a_run_with_pages_for_worker_processes_starts_their_forkserver_before_parsing():
    assert forkserver_started("auto", PROCESSES_FROM_PAGES)
    assert forkserver_started("processes", 1)
    assert not forkserver_started("auto", PROCESSES_FROM_PAGES - 1)
    assert not forkserver_started("threads", PROCESSES_FROM_PAGES)


def test_batches_cover_every_page_once_in_order():
    for pages, size, workers in [
        (0, None, 2),
        (1, None, 2),
        (120, None, 1),
        (1_000, 300, 2),
        (7_999, None, 2),
        (71_628, None, 2),
        (71_628, None, 4),
    ]:
        sizes = batch_sizes(pages, size, workers)
        batches = chunk(list(range(pages)), sizes)
        assert [len(batch) for batch in batches] == sizes
        assert [page for batch in batches for page in batch] == list(range(pages))
        assert len(sizes) <= MAX_BATCHES or size is not None


def test_last_batches_shrink_so_workers_finish_together():
    sizes = batch_sizes(71_628, workers=2)
    assert len(sizes) == MAX_BATCHES
    full, *tail = sizes[-5:]
    assert max(sizes[:-4]) - min(sizes[:-4]) <= 1  # equal, but for rounding
    assert [round(full / part) for part in tail] == [2, 2, 4, 4]


def test_equal_batches_when_one_worker_or_a_size_is_asked_for():
    assert set(batch_sizes(71_628, workers=1)[:-1]) == {1791}
    assert batch_sizes(71_628, size=250, workers=2)[:-1] == [250] * 286
    assert batch_sizes(120, workers=2) == [50, 50, 20]  # too small to taper


def test_validation_is_imported_in_the_background_at_the_lowest_priority(tmp_path, monkeypatch):
    (tmp_path / "priority_probe.py").write_text(
        "import os, threading\nNICE = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    before = os.getpriority(os.PRIO_PROCESS, 0)
    _import_in_background("priority_probe")
    for thread in threading.enumerate():
        if thread.name == "import priority_probe":
            thread.join()
    probe = sys.modules.pop("priority_probe")
    lowest = 19 if sys.platform == "linux" else before  # elsewhere a thread has no priority
    assert lowest == probe.NICE
    assert os.getpriority(os.PRIO_PROCESS, 0) == before  # the flow itself keeps its priority
