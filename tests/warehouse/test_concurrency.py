"""Atomic loads and readers at the same time, with real processes."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from tests.conftest import ROOT, SEED_PAGE
from tests.helpers import batch_of, reviews_from, table
from tests.warehouse.load_worker import synthetic_reviews
from warehouse.db import WarehouseError
from warehouse.load import RunRow, load_run
from warehouse.publish import PublishOptions, WarehouseBusyError, reading, writing


def seed(warehouse_path, strategy: str = "auto") -> None:
    with writing(warehouse_path, PublishOptions(strategy=strategy)) as con:
        load_run(con, batch_of(reviews_from(SEED_PAGE)), RunRow("seed", datetime.now(UTC)))


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def contents(path) -> list[tuple]:
    with reading(path) as con:
        return table(con, "SELECT * FROM reviews ORDER BY review_id") + table(
            con, "SELECT run_id, status FROM etl_runs ORDER BY run_id"
        )


@pytest.mark.parametrize("strategy", ["copy", "in_place"])
def test_kill_9_mid_load_leaves_the_warehouse_as_before(warehouse_path, strategy):
    seed(warehouse_path, strategy)
    before = contents(warehouse_path)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.warehouse.load_worker",
            str(warehouse_path),
            "600000",
            strategy,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout.readline().strip() == "LOADING"
    time.sleep(0.5)  # inside the load: the synthetic batch takes seconds
    assert worker.poll() is None, "the load finished before it could be killed"
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    assert contents(warehouse_path) == before
    if strategy == "copy":
        seed(warehouse_path)  # the next run starts cleanly and removes the dead copy
        assert not list(warehouse_path.parent.glob("*.loading-*"))


def test_a_reader_holding_the_file_does_not_stop_a_load(warehouse_path):
    seed(warehouse_path)
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            f"con = duckdb.connect({str(warehouse_path)!r}, read_only=True)\n"
            "print(con.execute('SELECT count(*) FROM fct_reviews').fetchall()[0][0], flush=True)\n"
            "sys.stdin.readline()\n"
            "print(con.execute('SELECT count(*) FROM fct_reviews').fetchall()[0][0], flush=True)\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "20"
        with writing(warehouse_path, PublishOptions(lock_timeout_s=30)) as con:
            load_run(
                con, batch_of(synthetic_reviews(1000, "more")), RunRow("r2", datetime.now(UTC))
            )
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "20"  # its snapshot, unchanged under it
    finally:
        reader.kill()
        reader.wait()
    with reading(warehouse_path) as con:
        assert table(con, "SELECT count(*) FROM fct_reviews") == [(1020,)]


def test_a_writer_that_never_lets_go_gets_a_clear_error_and_no_damage(warehouse_path):
    seed(warehouse_path)
    before = digest(warehouse_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys\n"
            f"con = duckdb.connect({str(warehouse_path)!r})\n"
            "print('HOLDING', flush=True)\n"
            "sys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "HOLDING"
        with (
            pytest.raises(WarehouseBusyError, match="stayed locked"),
            writing(warehouse_path, PublishOptions(lock_timeout_s=1.5)),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()
    assert digest(warehouse_path) == before


def test_a_change_made_by_someone_else_during_the_run_is_not_overwritten(warehouse_path):
    seed(warehouse_path)

    def load_while_someone_else_writes() -> None:
        with writing(warehouse_path) as con:
            load_run(con, batch_of(synthetic_reviews(10, "mine")), RunRow("r", datetime.now(UTC)))
            os.utime(warehouse_path, ns=(0, 0))  # as if another writer touched the file

    with pytest.raises(WarehouseError, match="changed by another process"):
        load_while_someone_else_writes()
    with reading(warehouse_path) as con:
        assert table(con, "SELECT count(*) FROM fct_reviews") == [(20,)]
