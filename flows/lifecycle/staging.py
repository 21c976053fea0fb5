"""A run's staging folder records its owner (`claim_staging`): host, boot, process id and
the process's start time (process ids are reused; the pair is not). A later run removes the
folders whose owner is no longer running (`clear_dead_staging`), never a live run's.

    clear_dead_staging(staging_root)  # what killed runs left behind
    staging = claim_staging(staging_root, run_id)
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from flows.lifecycle.processes import PROC, ProcessId

# What a staging folder's owner is recorded in (hidden: no stage globs for it).
OWNER_FILE = ".owner"
# A staging folder with no owner was not made by `claim_staging` (older reviewhouse
# versions, or a claim cut short): removed once nothing in it changed for this long, far
# longer than any stage goes without writing a file.
UNOWNED_STAGING_MAX_AGE_S = 3600.0


@dataclass(frozen=True, slots=True)
class Owner:
    """Who owns a staging folder: a process on one host, in one boot of it."""

    host: str
    boot_id: str | None
    pid: int
    start_time: int | None

    @classmethod
    def current(cls) -> Owner:
        me = ProcessId.current()
        return cls(socket.gethostname(), _boot_id(), me.pid, me.start_time)

    def is_gone(self) -> bool:
        """True only when this owner is certainly not running: on this host, it was in an
        earlier boot or its process ended. An owner on another host is not ours to judge."""
        here = Owner.current()
        if self.host != here.host:
            return False
        if self.boot_id is not None and here.boot_id is not None and self.boot_id != here.boot_id:
            return True
        return not ProcessId(self.pid, self.start_time).alive()


def claim_staging(staging_root: Path, run_id: str) -> Path:
    """Create the run's staging folder, `staging_root/run_id`, recording this process as
    its owner. The folder appears with its owner already recorded (made under a temporary
    name, then renamed), so no other run ever sees it without one."""
    staging_root.mkdir(parents=True, exist_ok=True)
    claim = Path(tempfile.mkdtemp(prefix=f".claim-{run_id}-", dir=staging_root))
    try:
        (claim / OWNER_FILE).write_text(json.dumps(asdict(Owner.current())), encoding="utf-8")
        target = staging_root / run_id
        os.rename(claim, target)  # refused if a folder of that name holds anything
    except BaseException:
        shutil.rmtree(claim, ignore_errors=True)
        raise
    return target


def clear_dead_staging(staging_root: Path) -> list[Path]:
    """Remove the staging folders under `staging_root` whose owning run is no longer
    running; returns the folders removed. Live runs' folders, and folders whose owner is on
    another host, are left alone."""
    if not staging_root.is_dir():
        return []
    removed = []
    for folder in sorted(staging_root.iterdir()):
        if folder.is_symlink() or not folder.is_dir() or not _abandoned(folder):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder)
    return removed


def staging_owner(folder: Path) -> Owner | None:
    """The owner recorded in a staging folder, if it has a readable one."""
    try:
        return Owner(**json.loads((folder / OWNER_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _abandoned(folder: Path) -> bool:
    owner = staging_owner(folder)
    if owner is not None:
        return owner.is_gone()
    return time.time() - _last_change(folder) > UNOWNED_STAGING_MAX_AGE_S


def _last_change(folder: Path) -> float:
    """When anything directly in `folder`, or the folder itself, last changed."""
    times = [folder.stat().st_mtime]
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            with contextlib.suppress(OSError):
                times.append(entry.stat(follow_symlinks=False).st_mtime)
    return max(times)


def _boot_id() -> str | None:
    try:
        return (PROC / "sys" / "kernel" / "random" / "boot_id").read_text().strip()
    except OSError:
        return None
