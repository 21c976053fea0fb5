"""A load onto a small disk of its own, for the full-disk tests.

    unshare --mount --propagation private python -m tests.warehouse.full_disk_worker DIR FREE ROWS

Mounts a 16 MB tmpfs on DIR (in the private mount namespace `unshare` gave this process, so
it vanishes with it, whatever happens), seeds a warehouse there, fills the disk until FREE
bytes are left, loads ROWS synthetic reviews and prints what happened as JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import SEED_PAGE
from tests.helpers import batch_of, reviews_from
from tests.warehouse.load_worker import synthetic_reviews
from warehouse.load import RunRow, load_run
from warehouse.publish import writing


def free_bytes(directory: Path) -> int:
    stats = os.statvfs(directory)
    return stats.f_bavail * stats.f_frsize


def main() -> None:
    disk, free, rows = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], check=True)
    warehouse = disk / "reviews.duckdb"
    with writing(warehouse) as con:
        load_run(con, batch_of(reviews_from(SEED_PAGE)), RunRow("seed", datetime.now(UTC)))
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    with (disk / "filler").open("wb") as filler:
        filler.write(b"\0" * max(0, free_bytes(disk) - free))
    outcome: dict[str, object] = {"free": free_bytes(disk)}
    try:
        with writing(warehouse) as con:
            batch = batch_of(synthetic_reviews(rows, "full"))
            load_run(con, batch, RunRow("full", datetime.now(UTC)))
        outcome["error"] = None
    except Exception as error:  # the test looks at which, and what it says
        outcome["error"] = type(error).__name__
        outcome["message"] = str(error)
        outcome["cause"] = type(error.__cause__).__name__
    outcome["unchanged"] = hashlib.sha256(warehouse.read_bytes()).hexdigest() == before
    outcome["files"] = sorted(path.name for path in disk.iterdir())
    print(json.dumps(outcome))


if __name__ == "__main__":
    main()
