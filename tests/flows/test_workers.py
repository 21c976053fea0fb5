"""Worker processes: started up front, without re-running the parent's script, and ended
with their parent; and the validation process."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

import pytest

from flows import workers
from flows.workers import pool, worker_pool
from tests.helpers import in_fresh_interpreter


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


VALIDATION_PROCESS = """
import os, sys
from flows import workers
from tests import helpers

workers.start_validation_process()
validator = workers.in_validation_process(os.getpid)()
imported = workers.in_validation_process(helpers.imported, "great_expectations")()
print(validator != os.getpid(), imported, "great_expectations" in sys.modules)
"""

STOPPED_WHILE_PREPARING = """
import time
import psutil
from flows import workers

workers.start_validation_process()
def validators():  # not multiprocessing's resource tracker
    children = psutil.Process().children()
    return [child for child in children if "spawn_main" in " ".join(child.cmdline())]

deadline = time.monotonic() + 30
while not (started := validators()) and time.monotonic() < deadline:
    time.sleep(0.01)
(validator,) = started
workers.stop_validation_process()
print(not validator.is_running() or validator.status() == psutil.STATUS_ZOMBIE)
"""


def test_validation_runs_in_its_own_process_which_imports_great_expectations():
    # a fresh interpreter: one that has imported the validation validates itself
    assert in_fresh_interpreter(VALIDATION_PROCESS) == "True True False"


def test_a_validation_process_still_preparing_ends_at_once_when_stopped():
    assert in_fresh_interpreter(STOPPED_WHILE_PREPARING) == "True"


def test_without_a_validation_process_the_job_runs_here():
    workers.stop_validation_process()  # one an earlier run in this process may have started
    assert workers.in_validation_process(os.getpid)() == os.getpid()
