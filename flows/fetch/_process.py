"""Starting the page keeper's worker process when the caller gives no way of its own.

The worker is a fresh interpreter (`spawn`): it shares nothing with a forkserver the
orchestration may run, and its parent is the process that starts it, so Linux's
parent-death signal ends it when that process ends, even after `kill -9`. Elsewhere it ends
when its request pipe closes, which the parent's death also does. The orchestration passes
its own start (`flows.workers.start_process`) to reuse its forkserver.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from multiprocessing.process import BaseProcess

StartProcess = Callable[..., BaseProcess]  # start(target, *args): a running process

_PR_SET_PDEATHSIG = 1


def start_process(target: Callable[..., object], *args: object) -> BaseProcess:
    """A daemon process running `target(*args)`, killed when this process ends.

    The signal is tied to the thread that starts the process: start it from a thread that
    outlives it (the event loop's, for a `ProcessKeeper`).
    """
    process = multiprocessing.get_context("spawn").Process(
        target=_die_with_parent, args=(os.getpid(), target, *args), daemon=True
    )
    process.start()
    return process


def _die_with_parent(parent: int, target: Callable[..., object], *args: object) -> None:
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent:  # gone before the line above: its death sent no signal
            os._exit(1)
    target(*args)
