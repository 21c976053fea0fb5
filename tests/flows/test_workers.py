"""The fan-out's worker processes: started up front, without re-running the parent's script."""

from __future__ import annotations

import os
import subprocess
import sys

from flows.pipeline import PROCESSES_FROM_PAGES
from flows.workers import pool, worker_pool


def main_script() -> str | None:
    return sys.modules["__main__"].__dict__.get("__file__")


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
