"""Worker processes: started up front, without re-running the parent's script, and ended
with their parent."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

import pytest

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
