"""Building real batches from real pages for tests, without Prefect."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import polars as pl

from flows import stages
from flows.pages import file_page
from transforms.normalize import normalize_reviews
from transforms.schema import QUARANTINE_SCHEMA
from warehouse.load import LoadBatch


def reviews_from(*pages: Path) -> pl.DataFrame:
    parsed = stages.parse_pages([file_page(page) for page in pages], run_id="test")
    return normalize_reviews(parsed.raw)


def batch_of(reviews: pl.DataFrame) -> LoadBatch:
    dims = stages.dimensions(reviews)
    return LoadBatch(
        reviews=reviews,
        movies=dims["movies"],
        critics=dims["critics"],
        publications=dims["publications"],
        quarantine=pl.DataFrame(schema=QUARANTINE_SCHEMA),
    )


def table(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def python_with(home: Path, *packages: str) -> Path:
    """A separate virtualenv at `home` holding `packages`; its Python."""
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", *packages],
        check=True,
        capture_output=True,
        timeout=900,
    )
    return python


def imported(module: str) -> bool:
    """Whether this process has imported `module` (for a job run in another process)."""
    return module in sys.modules


def in_fresh_interpreter(script: str, prefect_home: Path | None = None, **env: str) -> str:
    """What `script` prints, run by a new interpreter from the project's root. With
    `prefect_home`, it sees no Prefect setting of this process's but that home (and `env`)."""
    environment = dict(os.environ)
    if prefect_home is not None:
        environment = {k: v for k, v in environment.items() if not k.startswith("PREFECT_")}
        environment["PREFECT_HOME"] = str(prefect_home)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parent.parent,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()
