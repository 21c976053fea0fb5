"""The command line: exit codes, one-line summaries and errors, in-process and as a process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from flows.runs import RunRecord
from reviewhouse.cli import app
from tests.conftest import ROOT, SEED_PAGE
from warehouse.publish import reading, writing

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


@pytest.mark.usefixtures("prefect_harness")
def test_full_refresh_reads_an_unchanged_page_again(warehouse_path):
    ingest = ["ingest", str(SEED_PAGE), "-w", str(warehouse_path)]
    assert runner.invoke(app, ingest).exit_code == 0
    again = runner.invoke(app, ingest)
    assert "1 pages read (0 failed, 1 unchanged); 0 reviews loaded" in again.output
    refreshed = runner.invoke(app, [*ingest, "--full-refresh"])
    assert refreshed.exit_code == 0, refreshed.output
    assert "1 pages read (0 failed); 20 reviews loaded (0 new, 0 updated, 20 unchanged)" in (
        refreshed.output
    )


@pytest.mark.usefixtures("prefect_harness")
def test_a_page_over_max_page_bytes_is_refused_whole(warehouse_path):
    size = SEED_PAGE.stat().st_size
    result = runner.invoke(
        app,
        ["ingest", str(SEED_PAGE), "-w", str(warehouse_path), "--max-page-bytes", str(size - 1)],
    )
    assert result.exit_code == 0, result.output
    assert "1 pages read (1 failed); 0 reviews loaded" in result.output
    with reading(warehouse_path) as con:
        (reason,) = con.execute("SELECT reason FROM quarantine").fetchone()
    assert "larger than" in reason
    assert "--max-page-bytes" in reason  # the cap is named


# ---------------------------------------------------------------------------------------
# usage errors: exit 2, one line


def test_a_folder_given_as_the_warehouse_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["ingest", str(SEED_PAGE), "-w", str(tmp_path)])
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line.startswith("error: ")
    assert "folder" in line


@pytest.mark.parametrize("location", ["foo:bar", ":::"])
@pytest.mark.parametrize("command", [["ingest", str(SEED_PAGE)], ["runs"], ["scorecard"]])
def test_a_location_that_cannot_be_a_warehouse_says_what_one_may_be(location, command, monkeypatch):
    monkeypatch.setenv("REVIEWHOUSE_WAREHOUSE", location)
    result = runner.invoke(app, command)
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line.startswith("error: ")
    assert "DuckDB file" in line  # what a warehouse location may be


def test_new_ingest_options_are_documented_and_checked(tmp_path):
    help_text = runner.invoke(app, ["ingest", "--help"], env={"COLUMNS": "200"}).output
    assert "--full-refresh" in help_text
    assert "--max-page-bytes" in help_text
    assert "20971520" in help_text  # the default cap, shown
    assert "rt:<slug>" in help_text
    for value in ("0", "-5", "lots"):
        result = runner.invoke(
            app,
            ["ingest", str(SEED_PAGE), "-w", str(tmp_path / "w.duckdb"), "--max-page-bytes", value],
        )
        assert result.exit_code == 2, value
        assert "--max-page-bytes" in result.output


def test_a_rotten_tomatoes_title_is_a_source_not_a_missing_file(tmp_path):
    # the folder as warehouse is the next check: reaching it means the source was accepted
    result = runner.invoke(app, ["ingest", "rt:the_departed", "-w", str(tmp_path)])
    assert result.exit_code == 2
    assert "source not found" not in result.output
    assert "folder" in result.output


def test_passwords_in_urls_are_never_printed(tmp_path):
    result = runner.invoke(
        app, ["ingest", "ftp://reader:s3cretpass@example.com/x", "-w", str(tmp_path / "w.duckdb")]
    )
    assert result.exit_code == 2
    assert "s3cretpass" not in result.output
    assert "ftp://reader:***@example.com/x" in result.output


# ---------------------------------------------------------------------------------------
# a warehouse the system will not let us write: exit 1, one line, the file as it was


@pytest.fixture
def immutable() -> Iterator[Callable[[Path], None]]:
    """Folders nothing may be created in, even by root (chattr +i); mutable again after."""
    frozen: list[Path] = []

    def freeze(folder: Path) -> None:
        done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"chattr +i is not available here: {done.stderr.strip()}")
        frozen.append(folder)

    yield freeze
    for folder in frozen:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


@pytest.mark.skipif(shutil.which("chattr") is None, reason="needs chattr")
def test_an_existing_warehouse_in_an_unwritable_folder_is_one_line(warehouse_path, immutable):
    with writing(warehouse_path):
        pass  # an empty, migrated warehouse
    before = warehouse_path.read_bytes()
    immutable(warehouse_path.parent)
    result = runner.invoke(app, ["ingest", str(SEED_PAGE), "-w", str(warehouse_path)])
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert line.startswith(f"error: cannot write the warehouse at {warehouse_path}")
    assert warehouse_path.read_bytes() == before


FULL_DISK_RUN = """
set -e
mount -t tmpfs -o size=24m tmpfs "$DISK"
"$PYTHON" -m reviewhouse.cli ingest "$FIRST" -w "$DISK/reviews.duckdb" > "$OUT/seed.log" 2>&1
sha256sum < "$DISK/reviews.duckdb" > "$OUT/before"
dd if=/dev/zero of="$DISK/filler" bs=64k 2> /dev/null || true
set +e
"$PYTHON" -m reviewhouse.cli ingest "$SECOND" -w "$DISK/reviews.duckdb" \
    > "$OUT/stdout" 2> "$OUT/stderr"
echo $? > "$OUT/rc"
sha256sum < "$DISK/reviews.duckdb" > "$OUT/after"
"""


@pytest.mark.slow
@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None, reason="mounts a tmpfs: needs root"
)
def test_a_full_disk_is_one_line_without_a_traceback(tmp_path, prefect_api_url):
    disk, out = tmp_path / "disk", tmp_path / "out"
    disk.mkdir()
    out.mkdir()
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_api_url,
        "PYTHON": sys.executable,
        "DISK": str(disk),
        "OUT": str(out),
        "FIRST": str(SEED_PAGE),
        "SECOND": str(SEED_PAGE.with_name("night_ferry_2006.txt")),
    }
    # a mount namespace of its own: the small disk goes with the shell, whatever happens
    subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", FULL_DISK_RUN],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=600,
    )
    assert (out / "rc").read_text().strip() == "1", (out / "stderr").read_text()[-3000:]
    stderr = (out / "stderr").read_text()
    assert "Traceback" not in stderr
    # Prefect's own log lines may come after it (its events worker flushing at exit)
    (error,) = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert "No space left on device" in error
    assert (out / "stdout").read_text() == ""
    assert (out / "after").read_text() == (out / "before").read_text()


@pytest.mark.parametrize(
    ("command", "model"), [("ingest", "IngestOptions"), ("reprocess", "RunOptions")]
)
def test_every_option_has_a_flag_with_its_description(command, model):
    """Like sqlite-utils' check that every command is documented: an option added to the
    model is a flag of its command, with the field's description as its help."""
    import click

    from flows import options

    fields = getattr(options, model).model_fields
    params = {param.name: param for param in typer.main.get_command(app).commands[command].params}
    for name, field in fields.items():
        assert name in params, f"{name} has no --flag on `reviewhouse {command}`"
        assert field.description, f"{name} has no description"
        assert params[name].help == field.description
        if isinstance(params[name], click.Option) and not params[name].multiple:
            assert params[name].default in (field.default, getattr(field.default, "value", None))


def test_flags_keep_their_names_and_reach_the_flow(monkeypatch, tmp_path):
    import reviewhouse.cli as cli
    from flows.options import IngestOptions

    seen = {}

    def run_flow(server, flow, **parameters):
        seen.update(parameters)
        return RunRecord("r1", datetime.now(UTC), status="completed")

    monkeypatch.setattr(cli, "_run_flow", run_flow)
    flags = ["--delay", "0", "--timeout", "5", "--allow-host", "a", "--allow-host", "b"]
    flags += ["--no-robots", "--no-autothrottle", "--runner", "threads", "--per-host-concurrency"]
    flags += ["2", "--max-quarantined-share", "0.5", "--full-refresh", "--user-agent", "me"]
    result = runner.invoke(
        app, ["ingest", str(SEED_PAGE), "-w", str(tmp_path / "w.duckdb"), *flags]
    )
    assert result.exit_code == 0, result.output
    assert seen["options"] == IngestOptions(
        warehouse=str(tmp_path / "w.duckdb"),
        min_delay_s=0,
        timeout_s=5,
        allow_hosts=["a", "b"],
        respect_robots=False,
        autothrottle=False,
        runner="threads",
        per_host_concurrency=2,
        max_quarantined_share=0.5,
        full_refresh=True,
        user_agent="me",
    )


def test_a_password_in_a_url_is_sent_to_its_host_and_stored_nowhere(
    httpserver, tmp_path, prefect_api_url
):
    """`reviewhouse ingest http://user:pass@host/...`: the request carries the password, and
    neither etl_runs, the pages, nor Prefect's flow run (name, parameters) holds it."""
    from prefect.client.orchestration import get_client

    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/m/backstage/reviews").respond_with_data(
        SEED_PAGE.read_text(), content_type="text/plain; charset=utf-8"
    )
    url = httpserver.url_for("/m/backstage/reviews").replace("://", "://user:s3cretpass@")
    warehouse = tmp_path / "w.duckdb"
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "reviewhouse.cli",
            "ingest",
            url,
            "-w",
            str(warehouse),
            "--allow-host",
            "127.0.0.1",
            "--delay",
            "0",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PREFECT_API_URL": prefect_api_url},
        timeout=300,
    )
    assert process.returncode == 0, process.stderr[-2000:]
    assert "s3cretpass" not in process.stdout + process.stderr
    (request, _), *_ = [entry for entry in httpserver.log if entry[0].path != "/robots.txt"]
    assert request.authorization.password == "s3cretpass"
    with reading(warehouse) as con:
        stored = con.execute(
            "SELECT parameters::VARCHAR, sources::VARCHAR FROM etl_runs"
        ).fetchall()
        (flow_run_id,) = con.execute("SELECT flow_run_id FROM etl_runs").fetchone()
        urls = con.execute(
            "SELECT url FROM pages UNION ALL SELECT source_url FROM reviews"
        ).fetchall()
    assert "s3cretpass" not in str(stored)
    assert "user:***@" in str(stored)
    assert not any("s3cretpass" in u for (u,) in urls)
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(flow_run_id)
    assert "s3cretpass" not in flow_run.name + json.dumps(flow_run.parameters, default=str)
