"""A run's processes end with it, even after `kill -9`.

- Processes we start ourselves (the parse workers, the page keeper) end when their parent,
  the multiprocessing forkserver, exits (Linux's parent-death signal) or when the run's
  process is gone (they watch it): `die_with_run`.
- Processes others start for us, Prefect's temporary API server above all (Prefect's own
  `subprocess.Popen`, where we cannot add a parent-death signal), are ended by a watchdog
  (`guard_descendants`). The run marks its environment with a fresh token before anything
  is started; every process started from then on inherits it, and `/proc/<pid>/environ`
  keeps the environment a process started with. When the run's process is gone, the
  watchdog ends every process carrying the token. The token, not a list of recorded
  process ids, says what is ours: it needs no regular walk of `/proc` while the run works,
  misses no process started a moment before the kill, and a process id reused by an
  unrelated process cannot carry it.

Only the standard library is imported: the watchdog runs this file as a script (isolated,
`python -I -S`, so it can import nothing of the project).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
# The environment variable that marks every process started by one run.
RUN_MARK_ENV = "REVIEWHOUSE_RUN_MARK"
# How often the watchdog looks whether its run is still alive, and how long what it ends
# gets to exit on SIGTERM (Prefect's server closes its database) before SIGKILL. Workers
# watch their run as often.
WATCH_INTERVAL_S = 0.5
TERM_GRACE_S = 3.0

_PR_SET_PDEATHSIG = 1
_watchdog: subprocess.Popen[bytes] | None = None


@dataclass(frozen=True, slots=True)
class ProcessId:
    """A process, told apart from any later process given the same id."""

    pid: int
    start_time: int | None  # clock ticks after boot (Linux); None where there is no /proc

    @classmethod
    def current(cls) -> ProcessId:
        return cls(os.getpid(), start_time(os.getpid()))

    def alive(self) -> bool:
        if self.start_time is None:
            return _pid_exists(self.pid)
        return start_time(self.pid) == self.start_time


def start_time(pid: int) -> int | None:
    """When process `pid` started (clock ticks after boot), or None if it is not running
    (gone, a zombie, or no /proc to ask)."""
    try:
        stat = (PROC / str(pid) / "stat").read_bytes()
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may hold spaces and parentheses
    fields = stat[stat.rindex(b")") + 2 :].split()
    state, started = fields[0], fields[19]  # fields 3 and 22 of proc_pid_stat(5)
    if state in (b"Z", b"X"):  # exited, waiting to be reaped: not running
        return None
    return int(started)


def process_age_s() -> float | None:
    """Seconds since this process started (its start-up included: the interpreter, the
    imports), or None where there is no /proc to ask."""
    started = start_time(os.getpid())
    try:
        uptime_s = float((PROC / "uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    if started is None:
        return None
    return max(0.0, uptime_s - started / os.sysconf("SC_CLK_TCK"))


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


# ---------------------------------------------------------------------------------------
# Processes we start: they die with their parent


def die_with_run(run: ProcessId) -> None:
    """End this process when its parent exits or when `run`, the run's own process, does.

    For the processes we start (a pool's initializer, a worker's first call). Their parent
    is the multiprocessing forkserver, and Linux's parent-death signal ends them the moment
    it exits. That is not enough alone: the forkserver exits when the last holder of a pipe
    end it watches closes it, and every process it starts holds that end too; so each also
    watches `run` itself, on a thread, and exits when it is gone. Then the forkserver, no
    longer held open by anyone, exits in turn.
    """
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if not run.alive():  # gone before the line above: its death sent no signal
        os._exit(1)
    threading.Thread(target=_exit_when_gone, args=(run,), name="die-with-run", daemon=True).start()


def _exit_when_gone(run: ProcessId) -> None:
    while run.alive():
        time.sleep(WATCH_INTERVAL_S)
    os._exit(1)  # at once: no cleanup to do for a run that is gone


# ---------------------------------------------------------------------------------------
# Processes others start for us: a watchdog ends them when the run's process is gone


def guard_descendants() -> subprocess.Popen[bytes] | None:
    """From now on, every process this one starts (and they start) ends when this process
    ends, however it ends. Call before starting anything; once per process (later calls
    return the same watchdog). Linux only (it reads /proc); elsewhere returns None."""
    global _watchdog
    if _watchdog is not None or not (PROC / "self" / "environ").exists():
        return _watchdog
    run = ProcessId.current()
    mark = uuid.uuid4().hex
    watchdog_env = {name: value for name, value in os.environ.items() if name != RUN_MARK_ENV}
    os.environ[RUN_MARK_ENV] = mark
    # `-I -S`: the standard library only, nothing from the run's paths or site-packages
    _watchdog = subprocess.Popen(
        [sys.executable, "-I", "-S", __file__, str(run.pid), str(run.start_time), mark],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,  # else whoever reads the run's output waits for it too
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl-C at the terminal is for the run; it cleans after
        env=watchdog_env,
    )
    return _watchdog


def watch(run: ProcessId, mark: str) -> list[int]:
    """Wait for `run` to end, then end every process carrying `mark`; their ids."""
    while run.alive():
        time.sleep(WATCH_INTERVAL_S)
    return end_marked(mark)


def end_marked(mark: str, grace_s: float = TERM_GRACE_S) -> list[int]:
    """SIGTERM every process started with `mark` in its environment, and SIGKILL those
    still running `grace_s` later. Returns the ids of the processes signalled."""
    targets = marked_processes(mark)
    for process in targets:
        _signal(process, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while any(process.alive() for process in targets) and time.monotonic() < deadline:
        time.sleep(0.05)
    for process in targets:
        _signal(process, signal.SIGKILL)
    return [process.pid for process in targets]


def marked_processes(mark: str) -> list[ProcessId]:
    """Running processes (but this one) whose environment holds `RUN_MARK_ENV=mark`."""
    needle = f"{RUN_MARK_ENV}={mark}".encode()
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        pid = int(entry.name)
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone, or not ours to read
            continue
        if needle in environ.split(b"\0") and (started := start_time(pid)) is not None:
            found.append(ProcessId(pid, started))
    return found


def _signal(process: ProcessId, signum: int) -> None:
    """Signal `process` unless it ended (its id possibly reused) since it was found."""
    if process.alive():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(process.pid, signum)


def _main(arguments: list[str]) -> None:
    """The watchdog: `processes.py <pid> <start time> <mark>`."""
    for signum in (signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    pid, started, mark = arguments
    watch(ProcessId(int(pid), None if started == "None" else int(started)), mark)


if __name__ == "__main__":
    _main(sys.argv[1:])
