"""The fan-out's worker processes: started up front, without re-running the parent's script."""

from __future__ import annotations

import os
import sys

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
