"""How a run writes to a warehouse that analysts and BI tools may hold open.

DuckDB lets one process write a file, and only while no other process holds it, even
read-only. A nightly run must not fail after hours of work because a dashboard is open, and
must never leave a half-written file. So a run on a local file works on a private copy:

1. take the reviewhouse writer lock (`<warehouse>.lock`): one reviewhouse writer at a time;
2. copy the warehouse while holding a read-only DuckDB connection on it, which waits
   (bounded retry) until no other process is writing it;
3. migrate and load the copy in one transaction, `CHECKPOINT`, close;
4. check the original was not changed meanwhile, then `os.replace` the copy over it.

Readers that already have the file open keep reading the old snapshot until they reconnect;
new connections see the new one. A process killed at any point leaves the original exactly
as it was. Locations that are not local files (`md:...`, a DuckLake catalogue) are written in
place inside one transaction instead (`strategy="in_place"`).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import duckdb

from warehouse.db import (
    DEFAULT_STORAGE_VERSION,
    WarehouseError,
    check_location,
    check_version,
    connect,
    is_local_file,
    migrate,
)

LOCK_CONFLICT = "Could not set lock on file"
T = TypeVar("T")


class WarehouseBusyError(WarehouseError):
    """Another process kept the warehouse locked for longer than we were willing to wait."""


class WarehouseWriteError(WarehouseError):
    """The system refused to write the warehouse (a folder not writable, a full disk); the
    warehouse is as it was before."""


# Why a write fails for reasons of the place written to, not of what is written: as errno
# values (OSError) and as the system's words for them inside DuckDB's IO errors.
_WRITE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG)
_WRITE_REFUSALS = tuple(os.strerror(number) for number in _WRITE_ERRNOS)


@dataclass(frozen=True, slots=True)
class PublishOptions:
    strategy: str = "auto"  # auto | copy | in_place
    lock_timeout_s: float = 600.0
    storage_version: str = DEFAULT_STORAGE_VERSION
    # DuckDB's working memory while loading; past it DuckDB spills to disk. Without a limit
    # it takes up to 80% of the machine's memory for a large load.
    memory_limit: str | None = "1GB"


@contextlib.contextmanager
def writing(
    location: str | Path, options: PublishOptions | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A migrated read-write connection whose work is published when the block succeeds."""
    options = options or PublishOptions()
    location = str(location)
    check_location(location)
    strategy = options.strategy
    if strategy == "auto":
        strategy = "copy" if is_local_file(location) else "in_place"
    with _refused_writes(location):
        if strategy == "in_place" or not is_local_file(location):
            with writer_lock(location, options.lock_timeout_s):
                con = _retry_on_lock(
                    lambda: connect(location, storage_version=options.storage_version),
                    options.lock_timeout_s,
                )
                try:
                    migrate(con)
                    _tune_for_loading(con, options)
                    yield con
                finally:
                    con.close()
            return
        with writer_lock(location, options.lock_timeout_s):
            target = Path(location)
            _remove_stale_copies(target)
            working = target.with_name(f"{target.name}.loading-{uuid.uuid4().hex[:8]}")
            try:
                before = _snapshot(target, working, options.lock_timeout_s)
                con = connect(working, storage_version=options.storage_version)
                try:
                    migrate(con)
                    _tune_for_loading(con, options)
                    yield con
                    con.execute("CHECKPOINT")
                finally:
                    con.close()
                _publish(working, target, before)
            finally:
                # a copy that cannot be removed now (its folder turned read-only) is removed
                # by the next run, as one left by a killed run
                with contextlib.suppress(OSError):
                    for leftover in (working, Path(f"{working}.wal")):
                        leftover.unlink(missing_ok=True)


@contextlib.contextmanager
def _refused_writes(location: str) -> Iterator[None]:
    """The system's refusals to write the warehouse (its folder, its disk) as one
    `WarehouseWriteError` line; every other error as it is."""
    try:
        yield
    except (OSError, duckdb.IOException) as error:
        reason = _refusal(error, location)
        if reason is None:
            raise
        raise WarehouseWriteError(f"cannot write the warehouse at {location}: {reason}") from error


def _refusal(error: OSError | duckdb.IOException, location: str) -> str | None:
    """Why the system refused a write to the warehouse's own files, or None when `error`
    is about something else (a staging file the load reads, a lock held elsewhere)."""
    # a local warehouse's files (the copy, its WAL, DuckDB's spill folder, the lock) all sit
    # beside it and are named after it
    local = Path(location).absolute() if is_local_file(location) else None
    if isinstance(error, OSError):
        if error.errno not in _WRITE_ERRNOS:
            return None
        if (
            local
            and error.filename
            and not str(Path(error.filename).absolute()).startswith(str(local))
        ):
            return None
        return f"{error.strerror} ({error.filename})" if error.filename else error.strerror
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if not any(refusal in message for refusal in _WRITE_REFUSALS):
        return None
    if local and str(local) not in message and location not in message:
        return None
    return message.removeprefix("IO Error: ")


def _tune_for_loading(con: duckdb.DuckDBPyConnection, options: PublishOptions) -> None:
    # Rows carry their own keys, so their order on disk does not matter; letting DuckDB
    # write in parallel halves the time of a large insert.
    con.execute("SET preserve_insertion_order = false")
    if options.memory_limit:
        con.execute("SET memory_limit = $limit", {"limit": options.memory_limit})


def reading(location: str | Path, lock_timeout_s: float = 60.0) -> duckdb.DuckDBPyConnection:
    """A read-only connection, waiting (bounded) while a writer holds the file."""
    check_location(str(location))
    return _retry_on_lock(lambda: connect(location, read_only=True), lock_timeout_s)


def check_warehouse(
    location: str | Path, lock_timeout_s: float = 30.0, *, writable: bool = False
) -> int:
    """Fail early, in one clear sentence, if `location` cannot be used as a warehouse:
    `WarehouseLocationError` when it cannot be one at all, `WarehouseWriteError` when
    `writable` and its folder refuses the files a run writes, `WarehouseError` otherwise.

    Returns the schema version (0 for a warehouse that does not exist yet).
    """
    location = str(location)
    check_location(location)
    if is_local_file(location):
        path = Path(location)
        if writable and path.parent.exists():
            probe_folder(location)
        if not path.exists():
            return 0
    try:
        with reading(location, lock_timeout_s) as con:
            return check_version(con)
    except duckdb.IOException as error:
        if "not a valid DuckDB database" in str(error):
            raise WarehouseError(f"{location} exists but is not a DuckDB database") from error
        raise WarehouseError(f"cannot open {location}: {error}") from error


def probe_folder(location: str) -> None:
    """`WarehouseWriteError` unless the folder of the local warehouse `location` takes a new
    file, as the copy a run loads does: tried for real, because permission bits do not say
    it for root, nor for read-only mounts or immutable folders."""
    probe = Path(f"{location}.probe-{uuid.uuid4().hex[:8]}")
    with _refused_writes(location):
        probe.touch(exist_ok=False)
        probe.unlink()


@contextlib.contextmanager
def writer_lock(location: str, timeout_s: float) -> Iterator[None]:
    """One reviewhouse writer per warehouse on this machine (an advisory `flock`)."""
    if not is_local_file(location):
        yield
        return
    lock_path = Path(f"{location}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+") as handle:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WarehouseBusyError(
                        f"another reviewhouse run is writing {location} (lock {lock_path})"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_copies(target: Path) -> None:
    """Working copies left by a run that was killed: we hold the writer lock, so no live
    run owns them."""
    for stale in target.parent.glob(f"{target.name}.loading-*"):
        stale.unlink(missing_ok=True)


def _snapshot(target: Path, working: Path, timeout_s: float) -> os.stat_result | None:
    """Copy `target` to `working` while no other process can be writing it."""
    if not target.exists():
        return None
    wal = Path(f"{target}.wal")

    def copy_under_read_lock() -> os.stat_result:
        with connect(target, read_only=True):
            shutil.copyfile(target, working)
            if wal.exists():  # a writer died before its checkpoint: keep its committed work
                shutil.copyfile(wal, f"{working}.wal")
            return target.stat()

    return _retry_on_lock(copy_under_read_lock, timeout_s)


def _publish(working: Path, target: Path, before: os.stat_result | None) -> None:
    _fsync(working)
    if before is not None:
        now = target.stat() if target.exists() else None
        if now is None or (now.st_ino, now.st_mtime_ns, now.st_size) != (
            before.st_ino,
            before.st_mtime_ns,
            before.st_size,
        ):
            raise WarehouseError(
                f"{target} was changed by another process during this run; "
                "nothing was published, run again"
            )
    elif target.exists():
        raise WarehouseError(f"{target} was created by another process during this run")
    # A WAL left beside the old file would be replayed onto the new one: it must go first.
    Path(f"{target}.wal").unlink(missing_ok=True)
    os.replace(working, target)
    _fsync(target.parent)


def _fsync(path: Path) -> None:
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _retry_on_lock(attempt: Callable[[], T], timeout_s: float) -> T:
    deadline = time.monotonic() + timeout_s
    delay = 0.1
    while True:
        try:
            return attempt()
        except duckdb.IOException as error:
            if LOCK_CONFLICT not in str(error) or time.monotonic() > deadline:
                if LOCK_CONFLICT in str(error):
                    raise WarehouseBusyError(
                        f"the warehouse stayed locked by another process for {timeout_s:.0f} s: "
                        f"{error}"
                    ) from error
                raise
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
