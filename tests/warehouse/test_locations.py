"""Where a warehouse may be, and what a run says when the system will not let it write there:
one line each, and the warehouse byte for byte as it was.

Tests run as root, for whom permission bits stop nothing; the refusals here are real all
the same: an immutable folder (`chattr +i`), a user without rights (`setpriv` to nobody),
and a disk that is full (a 16 MB tmpfs in a private mount namespace).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, SEED_PAGE
from tests.helpers import batch_of, reviews_from
from tests.warehouse.load_worker import synthetic_reviews
from warehouse.db import WarehouseError, WarehouseLocationError, check_location
from warehouse.load import RunRow, load_run
from warehouse.publish import WarehouseWriteError, check_warehouse, reading, writing

SAYS_WHAT_A_LOCATION_MAY_BE = "md:<database> (MotherDuck) or ducklake:<catalog> (DuckLake)"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def seed(warehouse: Path) -> None:
    with writing(warehouse) as con:
        load_run(con, batch_of(reviews_from(SEED_PAGE)), RunRow("seed", datetime.now(UTC)))


def load_more(warehouse: Path) -> None:
    with writing(warehouse) as con:
        load_run(con, batch_of(synthetic_reviews(50, "more")), RunRow("r", datetime.now(UTC)))


@pytest.mark.parametrize(
    "location",
    [
        "data/reviewhouse.duckdb",  # not there yet, nor its folder
        "reviews",  # any file name will do
        "./odd:name/reviews.duckdb",  # a ':' in a file name, written as a path
        "md:reviews",
        "motherduck:reviews",
        "ducklake:lake/meta.ducklake",
        "ducklake:postgres:dbname=lake",
    ],
)
def test_what_a_warehouse_location_may_be(location, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    check_location(location)
    assert list(tmp_path.iterdir()) == []  # looked, created nothing


@pytest.mark.parametrize(
    ("location", "says"),
    [
        ("{tmp}", "it is a folder"),
        ("{tmp}/", "it is a folder"),
        ("ducklake:{tmp}", "it is a folder"),
        ("{tmp}/a_file/reviews.duckdb", "it cannot be created: {tmp}/a_file is a file, not a"),
        ("{tmp}/a_file/deeper/reviews.duckdb", "it cannot be created: {tmp}/a_file is a file"),
        ("foo:bar", "'foo:' is no kind of database reviewhouse knows"),
        (":::", "it names no file and no database"),
        ("", "it is empty"),
        (":memory:", "an in-memory database is gone when the run ends"),
        ("ducklake:", "ducklake: names no catalog"),
    ],
)
def test_what_a_warehouse_location_may_not_be_is_said_in_one_line(location, says, tmp_path):
    (tmp_path / "a_file").write_text("not a folder")
    location, says = location.format(tmp=tmp_path), says.format(tmp=tmp_path)
    with pytest.raises(WarehouseLocationError) as raised:
        check_location(location)
    message = str(raised.value)
    assert isinstance(raised.value, ValueError)  # a usage error
    assert "\n" not in message
    assert f"bad warehouse location {location!r}: {says}" in message
    assert SAYS_WHAT_A_LOCATION_MAY_BE in message
    # every way in says the same: opening to read or write, and the early check
    for attempt in (lambda: reading(location), lambda: check_warehouse(location)):
        with pytest.raises(WarehouseLocationError):
            attempt()
    with pytest.raises(WarehouseLocationError), writing(location):
        pass


@pytest.fixture
def immutable() -> Iterator[Callable[[Path], None]]:
    """Make folders immutable (no file created, renamed or removed in them, even by root),
    and mutable again afterwards."""
    frozen: list[Path] = []

    def freeze(folder: Path) -> None:
        result = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"chattr +i is not available here: {result.stderr.strip()}")
        frozen.append(folder)

    yield freeze
    for folder in frozen:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


@pytest.mark.skipif(shutil.which("chattr") is None, reason="needs chattr")
def test_a_warehouse_in_a_folder_that_refuses_writes_is_left_as_it_was(warehouse_path, immutable):
    seed(warehouse_path)
    before = digest(warehouse_path)
    files = sorted(warehouse_path.parent.iterdir())
    immutable(warehouse_path.parent)

    with pytest.raises(WarehouseWriteError) as raised:
        load_more(warehouse_path)
    at = re.escape(str(warehouse_path))
    assert re.fullmatch(
        rf"cannot write the warehouse at {at}: Operation not permitted \({at}\.loading-\w{{8}}\)",
        str(raised.value),
    )
    assert digest(warehouse_path) == before
    assert sorted(warehouse_path.parent.iterdir()) == files

    # said before a run starts, too, and still readable
    with pytest.raises(WarehouseWriteError, match="Operation not permitted"):
        check_warehouse(warehouse_path, writable=True)
    assert check_warehouse(warehouse_path) > 0


NOBODY = """
import json, sys
from warehouse.db import WarehouseLocationError, check_location
from warehouse.publish import WarehouseWriteError, check_warehouse, writing

folder = sys.argv[1]
said = {}
try:
    check_location(folder + "/new.duckdb")
except WarehouseLocationError as error:
    said["new"] = str(error)
try:
    check_warehouse(folder + "/reviews.duckdb", writable=True)
except WarehouseWriteError as error:
    said["probe"] = str(error)
try:
    with writing(folder + "/reviews.duckdb"):
        pass
except WarehouseWriteError as error:
    said["write"] = str(error)
print(json.dumps(said))
"""


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv"
)
def test_a_user_who_may_not_write_the_folder_is_told_so(tmp_path):
    # a folder of root's that others may read (the test's own tmp_path is root's only)
    folder = Path(tempfile.mkdtemp(prefix="reviewhouse-readonly-"))
    try:
        folder.chmod(0o755)
        warehouse = folder / "reviews.duckdb"
        seed(warehouse)
        before = digest(warehouse)
        result = subprocess.run(
            [
                "setpriv",
                "--reuid=nobody",
                "--regid=nogroup",
                "--clear-groups",
                sys.executable,
                "-c",
                NOBODY,
                str(folder),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)},
        )
        assert result.returncode == 0, result.stderr
        said = json.loads(result.stdout)
        assert said["new"].startswith(
            f"bad warehouse location '{folder}/new.duckdb': it cannot be created: "
            f"{folder} is not writable;"
        )
        assert said["probe"].startswith(
            f"cannot write the warehouse at {warehouse}: Permission denied ({warehouse}.probe-"
        )
        assert said["write"] == (
            f"cannot write the warehouse at {warehouse}: Permission denied ({warehouse}.lock)"
        )
        assert digest(warehouse) == before
    finally:
        shutil.rmtree(folder)


def can_mount_a_private_tmpfs(directory: Path) -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "mount",
            "-t",
            "tmpfs",
            "-o",
            "size=1m",
            "tmpfs",
            str(directory),
        ],
        capture_output=True,
    )
    return probe.returncode == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("free", "rows", "cause"),
    [
        (0, 10, "OSError"),  # no room for the working copy
        (3_500_000, 200_000, "IOException"),  # room for the copy, not for what is loaded
    ],
)
def test_a_full_disk_is_one_line_and_the_warehouse_is_left_as_it_was(tmp_path, free, rows, cause):
    disk = tmp_path / "disk"
    disk.mkdir()
    if not can_mount_a_private_tmpfs(disk):
        pytest.skip("cannot mount a tmpfs in a private mount namespace (needs root)")
    result = subprocess.run(
        [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            sys.executable,
            "-m",
            "tests.warehouse.full_disk_worker",
            str(disk),
            str(free),
            str(rows),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout)
    assert outcome["error"] == "WarehouseWriteError", outcome
    assert outcome["cause"] == cause
    warehouse = disk / "reviews.duckdb"
    assert outcome["message"].startswith(f"cannot write the warehouse at {warehouse}: ")
    assert "No space left on device" in outcome["message"]
    assert "\n" not in outcome["message"]
    assert outcome["unchanged"]
    assert outcome["files"] == ["filler", "reviews.duckdb", "reviews.duckdb.lock"]
    assert list(disk.iterdir()) == []  # the disk went with the process that mounted it


def test_other_errors_inside_a_load_are_not_taken_for_refused_writes(warehouse_path):
    seed(warehouse_path)
    missing = str(warehouse_path.parent / "staging" / "gone.parquet")
    batch = replace(batch_of(reviews_from(SEED_PAGE)), reviews=[missing])
    with (
        pytest.raises(duckdb.IOException, match=r"gone\.parquet") as raised,
        writing(warehouse_path) as con,
    ):
        load_run(con, batch, RunRow("r", datetime.now(UTC)))
    assert not isinstance(raised.value, WarehouseError)
