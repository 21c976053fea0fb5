"""The command line: exit codes, one-line summaries and errors, in-process and as a process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewhouse.cli import app
from tests.conftest import ROOT, SEED_PAGE

runner = CliRunner()


@pytest.mark.usefixtures("prefect_harness")
def test_ingest_prints_a_summary_and_exits_0(warehouse_path):
    result = runner.invoke(app, ["ingest", str(SEED_PAGE), "--warehouse", str(warehouse_path)])
    assert result.exit_code == 0, result.output
    assert "completed: 1 pages read (0 failed); 20 reviews loaded (20 new" in result.output
    scorecard = runner.invoke(app, ["scorecard", "--warehouse", str(warehouse_path)])
    assert scorecard.exit_code == 0
    assert "Backstage" in scorecard.output
    assert "0.617" in scorecard.output


@pytest.mark.usefixtures("prefect_harness")
def test_warehouse_comes_from_the_environment(tmp_path, monkeypatch):
    target = tmp_path / "from-env.duckdb"
    monkeypatch.setenv("REVIEWHOUSE_WAREHOUSE", str(target))
    result = runner.invoke(app, ["ingest", str(SEED_PAGE)])
    assert result.exit_code == 0, result.output
    assert target.exists()
    runs = runner.invoke(app, ["runs"])
    assert "completed" in runs.output


@pytest.mark.usefixtures("prefect_harness")
def test_a_failed_batch_exits_1_with_one_line(pages_dir, warehouse_path):
    result = runner.invoke(
        app,
        ["ingest", str(pages_dir), "-w", str(warehouse_path), "--max-quarantined-share", "0.01"],
    )
    assert result.exit_code == 1
    (summary,) = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert "too many rows quarantined" in summary
    problems = runner.invoke(app, ["quarantine", "-w", str(warehouse_path)])
    assert "February 30, 2009" in problems.output or "review date" in problems.output


@pytest.mark.parametrize(
    "arguments",
    [
        ["ingest", "does/not/exist.txt"],
        ["ingest", "ftp://example.com/x"],
        ["ingest", "@missing.txt"],
    ],
)
def test_usage_errors_exit_2_with_one_line(arguments, tmp_path):
    result = runner.invoke(app, [*arguments, "-w", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 2
    assert result.output.startswith("error: ")
    assert "Traceback" not in result.output


def test_the_console_script_reports_errors_without_a_traceback(tmp_path, prefect_api_url):
    not_a_warehouse = tmp_path / "warehouse.duckdb"
    not_a_warehouse.write_text("this is not a DuckDB file")
    env = {**os.environ, "PREFECT_API_URL": prefect_api_url}
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "reviewhouse.cli",
            "ingest",
            str(SEED_PAGE),
            "-w",
            str(not_a_warehouse),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert process.returncode == 1
    assert process.stdout == ""
    last = process.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ")
    assert "Traceback" not in last
    assert Path(not_a_warehouse).read_text() == "this is not a DuckDB file"
