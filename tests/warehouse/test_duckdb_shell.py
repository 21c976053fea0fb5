"""The DuckDB shell the README sends analysts to: installed with reviewhouse, and every query
the README shows runs in it, unchanged, against a real warehouse."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DEMO_PAGES, ROOT
from tests.helpers import reviews_from
from tests.warehouse.test_load import load

SHELL = Path(sys.executable).parent / "duckdb"


DEMO_REVIEWS = reviews_from(*sorted(DEMO_PAGES.iterdir()))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("shell") / "reviewhouse.duckdb"
    load(path, DEMO_REVIEWS, "run-1")
    return path


def shell(warehouse: Path, sql: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SHELL), "-readonly", "-csv", str(warehouse), "-c", sql],
        capture_output=True,
        text=True,
        timeout=120,
    )


def readme_queries() -> list[str]:
    """Every statement of the README's ```sql blocks."""
    blocks = re.findall(r"```sql\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    statements = [s.strip() for block in blocks for s in block.split(";")]
    return [
        s for s in statements if s and not all(line.startswith("--") for line in s.splitlines())
    ]


def test_the_shell_is_installed_beside_python_and_opens_the_warehouse_read_only(warehouse):
    assert SHELL.exists(), "the duckdb-cli package puts the shell beside the venv's python"
    result = shell(warehouse, "SELECT count(*) AS reviews FROM reviews")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["reviews", str(DEMO_REVIEWS.height)]


@pytest.mark.parametrize("query", readme_queries(), ids=lambda q: q.splitlines()[-1][:40])
def test_every_query_in_the_readme_runs_in_the_shell(warehouse, query):
    result = shell(warehouse, query)
    assert result.returncode == 0, f"{query}\n{result.stderr}"
    assert not result.stderr.strip()
