"""Building real batches from real pages for tests, without Prefect."""

from __future__ import annotations

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
