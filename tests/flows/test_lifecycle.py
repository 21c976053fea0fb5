"""Nothing of a run outlives it: processes die with it after `kill -9`, and the next run
removes the staging folder it left behind. Real processes, real signals, real folders."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest

from flows.lifecycle import (
    OWNER_FILE,
    UNOWNED_STAGING_MAX_AGE_S,
    Owner,
    ProcessId,
    claim_staging,
    clear_dead_staging,
    staging_owner,
    start_time,
)
from tests.conftest import DEMO_PAGES, ROOT

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="parent-death signal and /proc")


def descendants(pid: int) -> set[ProcessId]:
    """Every running process under `pid`, walking /proc's parent links."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_bytes()
            except OSError:
                continue
            parent = int(stat[stat.rindex(b")") + 2 :].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if (started := start_time(child)) is not None:
                found.add(ProcessId(child, started))
                todo.append(child)
    return found


def wait_until_gone(processes: set[ProcessId], timeout_s: float = 10.0) -> set[ProcessId]:
    """The processes still running after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while (alive := {p for p in processes if p.alive()}) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def run_script(code: str, env: dict | None = None) -> tuple[subprocess.Popen, list[str]]:
    """Start `code` in a fresh interpreter; return it and the lines it printed before
    printing `ready`."""
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=env or os.environ.copy(),
    )
    lines = []
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == "ready":
            return process, lines
        lines.append(line.strip())
    raise AssertionError(f"the script ended early (code {process.wait()}): {lines}")


def kill9(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


@pytest.fixture
def bystander() -> Iterator[ProcessId]:
    """A process of nobody's run, which nothing may end."""
    process = subprocess.Popen(["sleep", "120"])
    yield ProcessId(process.pid, start_time(process.pid))
    process.kill()
    process.wait()


@linux_only
def test_pool_workers_and_the_keeper_die_with_a_killed_run():
    script = """
import time
from flows.workers import pool, start_process, worker_pool
keeper = start_process(time.sleep, 120)
with worker_pool(2) as key:
    print(keeper.pid)
    for process in pool(key)._processes.values():
        print(process.pid)
    print("ready", flush=True)
    time.sleep(120)
"""
    run, pids = run_script(script)
    ours = descendants(run.pid)
    started = {ProcessId(int(pid), start_time(int(pid))) for pid in pids}
    assert len(started) == 3
    assert started <= ours  # the keeper and both workers, under the forkserver
    kill9(run)
    assert wait_until_gone(ours) == set()


@linux_only
def test_processes_others_start_end_with_a_killed_run(bystander):
    """What the run does not start itself (Prefect starts its server with a plain Popen)."""
    script = """
import subprocess, time
from flows.lifecycle import guard_descendants
guard_descendants()
child = subprocess.Popen(["sleep", "120"])
grandchild = subprocess.Popen(["sh", "-c", "sleep 120 & echo $!; wait"], stdout=subprocess.PIPE)
print(child.pid)
print(grandchild.stdout.readline().decode().strip())
print("ready", flush=True)
time.sleep(120)
"""
    run, pids = run_script(script)
    ours = descendants(run.pid)
    assert {int(pid) for pid in pids} <= {process.pid for process in ours}
    assert any("lifecycle/processes.py" in " ".join(_cmdline(p.pid)) for p in ours)  # the watchdog
    kill9(run)
    assert wait_until_gone(ours) == set()
    assert bystander.alive()


@linux_only
def test_the_watchdog_leaves_with_a_run_that_ends_normally(bystander):
    script = """
import time
from flows.lifecycle import guard_descendants
print(guard_descendants().pid)
assert guard_descendants().pid == guard_descendants().pid  # one watchdog a process
print("ready", flush=True)
"""
    run, (watchdog,) = run_script(script)
    assert run.wait(timeout=10) == 0
    watcher = ProcessId(int(watchdog), start_time(int(watchdog)))
    assert wait_until_gone({watcher}) == set()
    assert bystander.alive()


def test_a_process_id_is_not_alive_once_reused():
    me = ProcessId.current()
    assert me.alive()
    if me.start_time is not None:
        assert not ProcessId(me.pid, me.start_time + 1).alive()  # same id, another process


# ---------------------------------------------------------------------------------------
# staging folders


def claimed_by_a_dead_run(staging_root: Path, run_id: str) -> Path:
    """A staging folder claimed by a process that was then killed."""
    script = f"""
from pathlib import Path
from flows.lifecycle import claim_staging
folder = claim_staging(Path({str(staging_root)!r}), {run_id!r})
(folder / "batch-00000.raw.parquet").write_bytes(b"x" * 1000)
print("ready", flush=True)
import time; time.sleep(120)
"""
    run, _ = run_script(script)
    kill9(run)
    return staging_root / run_id


def test_a_claimed_folder_records_its_owner(tmp_path):
    folder = claim_staging(tmp_path / "w.staging", "run-1")
    assert folder == tmp_path / "w.staging" / "run-1"
    assert staging_owner(folder) == Owner.current()
    assert [entry.name for entry in folder.iterdir()] == [OWNER_FILE]  # no leftover claim
    assert [entry.name for entry in folder.parent.iterdir()] == ["run-1"]


def test_staging_of_dead_runs_is_removed_and_live_runs_kept(tmp_path):
    root = tmp_path / "w.staging"
    dead = claimed_by_a_dead_run(root, "dead-run")
    assert (dead / "batch-00000.raw.parquet").exists()
    live = claim_staging(root, "live-run")
    (live / "fan-out.pickle").write_bytes(b"work")
    assert clear_dead_staging(root) == [dead]
    assert not dead.exists()
    assert (live / "fan-out.pickle").read_bytes() == b"work"
    assert clear_dead_staging(root) == []


def test_staging_on_another_host_or_of_an_earlier_boot(tmp_path):
    root = tmp_path / "w.staging"
    here = asdict(Owner.current())  # a live process: only the host or the boot differs
    for name, changed in {
        "other-host": {"host": "elsewhere"},
        "earlier-boot": {"boot_id": "an-earlier-boot"},
    }.items():
        (root / name).mkdir(parents=True)
        (root / name / OWNER_FILE).write_text(json.dumps({**here, **changed}))
    expected = [root / "earlier-boot"] if here["boot_id"] else []
    assert clear_dead_staging(root) == expected
    assert (root / "other-host").exists()  # not ours to judge


def test_staging_without_an_owner_is_removed_only_once_long_untouched(tmp_path):
    root = tmp_path / "w.staging"
    fresh, stale = root / "fresh-run", root / "stale-run"
    for folder in (fresh, stale):
        folder.mkdir(parents=True)
        (folder / "batch.parquet").write_bytes(b"x")
    long_ago = time.time() - UNOWNED_STAGING_MAX_AGE_S - 60
    for path in (stale / "batch.parquet", stale):
        os.utime(path, (long_ago, long_ago))
    (root / "not-a-folder.txt").write_text("left alone")
    assert clear_dead_staging(root) == [stale]
    assert fresh.exists()
    assert (root / "not-a-folder.txt").exists()
    assert clear_dead_staging(tmp_path / "no-staging-yet") == []


# ---------------------------------------------------------------------------------------
# the whole command, killed while parsing


def _cmdline(pid: int) -> list[str]:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().decode().split("\0")
    except OSError:
        return []


def _parsing_workers(processes: set[ProcessId]) -> list[ProcessId]:
    """The pool's workers: processes whose parent is the run's forkserver."""
    forkservers = {p.pid for p in processes if "forkserver" in " ".join(_cmdline(p.pid))}
    parents = {p: _parent(p.pid) for p in processes}
    return [p for p, parent in parents.items() if parent in forkservers]


def _parent(pid: int) -> int | None:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_bytes()
    except OSError:
        return None
    return int(stat[stat.rindex(b")") + 2 :].split()[1])


@pytest.fixture(scope="module")
def many_pages(tmp_path_factory) -> Path:
    """Enough saved pages (links to the demo pages, each under its own name) to keep a run's
    worker processes parsing for a while."""
    folder = tmp_path_factory.mktemp("many-pages")
    for copy in range(1_500):
        for page in DEMO_PAGES.iterdir():
            os.link(page, folder / f"{page.stem}-{copy:04d}{page.suffix}")
    return folder


@linux_only
@pytest.mark.slow
def test_kill_9_while_parsing_leaves_no_process_and_the_next_run_clears_staging(
    many_pages, tmp_path
):
    warehouse = tmp_path / "wh" / "reviews.duckdb"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("PREFECT_API_URL", None)  # the run starts Prefect's temporary server itself
    command = [sys.executable, "-m", "reviewhouse.cli", "ingest", "-w", str(warehouse)]
    log = tmp_path / "run.log"
    with log.open("w") as output:
        run = subprocess.Popen(
            [*command, "--runner", "processes", str(many_pages)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 180
        while not _parsing_workers(ours := descendants(run.pid)):
            assert run.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the run never started its workers"
            time.sleep(0.05)
        assert any("uvicorn" in _cmdline(p.pid) for p in ours)  # Prefect's temporary server
    finally:
        kill9(run)
    left = wait_until_gone(ours)
    assert left == set(), [" ".join(_cmdline(p.pid)) for p in left]

    staging_root = warehouse.parent / "reviews.staging"
    (leftover,) = staging_root.iterdir()
    if staging_owner(leftover) is None:
        pytest.xfail("the ingest flow does not claim its staging folder yet (claim_staging)")
    finished = subprocess.run(
        [*command, str(DEMO_PAGES / "backstage_2005.txt")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert not leftover.exists()
