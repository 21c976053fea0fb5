"""Keeping fetched pages off the event loop: in a worker process that reports its failures,
survives a cancelled wait, starts the way its caller says, and dies with its parent."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.fetch import KeepingFailed, PageRef, PageStore, ProcessKeeper, read_body
from flows.fetch._process import start_process
from parsers import FeedLinks
from tests.conftest import ROOT, SEED_PAGE

PAGE = SEED_PAGE.read_bytes()
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="parent-death signal and /proc")


def test_a_keeper_whose_process_died_says_so_instead_of_hanging(tmp_path):
    async def run() -> tuple[object, BaseException]:
        async with ProcessKeeper(PageStore(tmp_path / "store"), FeedLinks()) as keeper:
            kept = await keeper.keep(PAGE, "http://example.org/m/x/reviews", "text/plain")
            os.kill(keeper._process.pid, signal.SIGKILL)
            await asyncio.to_thread(keeper._process.join, 10)
            again = keeper.keep(PAGE, "http://example.org/m/y/reviews", "text/plain")
            with pytest.raises(KeepingFailed) as failure:
                await asyncio.wait_for(again, 10)
            return kept, failure.value

    (digest, path, _links), error = asyncio.run(run())
    assert read_body(PageRef("", str(path), datetime.now(UTC), compressed=True)) == PAGE
    assert path.name.startswith(digest)
    assert "page-keeping process" in str(error)


def test_a_keeper_goes_on_when_a_fetch_waiting_on_it_is_cancelled(tmp_path, caplog):
    async def run() -> tuple:
        async with ProcessKeeper(PageStore(tmp_path / "store"), FeedLinks()) as keeper:
            waiting = asyncio.ensure_future(keeper.keep(PAGE, "http://example.org/a", None))
            await asyncio.sleep(0)  # the page is on its way to the worker
            waiting.cancel()
            other = keeper.keep(PAGE + b" ", "http://example.org/b", None)
            return await asyncio.wait_for(other, 10)

    _digest, path, _links = asyncio.run(run())
    assert path.exists()
    assert not [record for record in caplog.records if record.name == "asyncio"]


def test_a_keeper_starts_its_process_the_way_its_caller_says(tmp_path):
    started = []

    def start(target, *args):
        started.append(target.__name__)
        return start_process(target, *args)

    async def run() -> tuple:
        store = PageStore(tmp_path / "store")
        async with ProcessKeeper(store, FeedLinks(), start_process=start) as keeper:
            return await keeper.keep(PAGE, "http://example.org/a", "text/plain")

    _digest, path, _links = asyncio.run(run())
    assert started == ["serve"]
    assert path.exists()


def children(pid: int) -> set[int]:
    """Every running process under `pid`, walking /proc's parent links."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_bytes()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[stat.rindex(b")") + 2 :].split()[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for child in [child for child, of in parents.items() if of == parent]:
            found.add(child)
            todo.append(child)
    return found


def running(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in (b"Z", b"X")


@linux_only
def test_a_keeper_dies_with_a_killed_parent(tmp_path):
    script = f"""
import asyncio
from pathlib import Path
from flows.fetch import PageStore, ProcessKeeper

async def main():
    async with ProcessKeeper(PageStore(Path({str(tmp_path)!r})), None) as keeper:
        await keeper.keep(b"<html></html>", "http://example.org/", "text/html")
        print("ready", flush=True)
        await asyncio.sleep(120)

asyncio.run(main())
"""
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE)
    assert parent.stdout.readline().strip() == b"ready"
    ours = children(parent.pid)
    assert ours  # the keeper (and multiprocessing's resource tracker)
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while (left := {pid for pid in ours if running(pid)}) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == set()
