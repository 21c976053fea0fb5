"""The deployments as users run them: a real Prefect server, `prefect deploy --all`, a process
worker, and `daily-ingest` triggered against a local web server."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer

from bench.render import Movie, Review, review_table_row
from reviewhouse.server import TemporaryServer
from tests.conftest import ROOT, SEED_PAGE
from tests.helpers import in_fresh_interpreter
from warehouse.publish import reading

PREFECT = str(Path(sys.executable).with_name("prefect"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # one process group: stopping it stops uvicorn and children
    )


def stop(process: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            continue


def prefect(env: dict, *arguments: str, timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [PREFECT, *arguments], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, (
        f"prefect {' '.join(arguments)}:\n{result.stdout}\n{result.stderr}"
    )
    return result


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory) -> Iterator[dict]:
    home = tmp_path_factory.mktemp("prefect-server")
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_WORKER_PREFETCH_SECONDS": "1",
    }
    server = start(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env,
        home / "server.log",
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, (home / "server.log").read_text()
            assert time.monotonic() < deadline, "Prefect server did not come up"
            time.sleep(0.5)
        yield env
    finally:
        stop(server)


def test_daily_ingest_deployment_runs_on_a_worker(prefect_server, httpserver: HTTPServer, tmp_path):
    env = prefect_server
    movie = Movie("Served Film", "served_film", 2019)
    reviews = [
        Review(f"Critic {n}", f"Paper {n}", f"Quote {n}.", date(2019, 5, n), f"{n}/5", n > 2)
        for n in (1, 2, 3, 4)
    ]
    for page in (1, 2):
        httpserver.expect_request(
            "/m/served_film/reviews", query_string=f"page={page}"
        ).respond_with_data(
            review_table_row(movie, reviews[(page - 1) * 2 : page * 2], page, 2),
            content_type="text/html",
        )
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    warehouse = tmp_path / "served.duckdb"

    prefect(env, "work-pool", "create", "reviewhouse", "--type", "process")
    deployed = prefect(env, "--no-prompt", "deploy", "--all")
    for name in (
        "ingest-reviews/daily-ingest",
        "reprocess-pages/reprocess",
        "backfill-reviews/backfill",
    ):
        assert name in deployed.stdout
    worker = start(
        [PREFECT, "worker", "start", "--pool", "reviewhouse"], env, tmp_path / "worker.log"
    )
    try:
        parameters = {
            "sources": [httpserver.url_for("/m/served_film/reviews") + "?page=1"],
            "options": {
                "warehouse": str(warehouse),
                "allow_hosts": ["127.0.0.1"],
                "min_delay_s": 0,
                "autothrottle": False,
            },
        }
        run = prefect(
            env,
            "deployment",
            "run",
            "ingest-reviews/daily-ingest",
            "--params",
            json.dumps(parameters),
            "--watch",
            timeout=300,
        )
    finally:
        stop(worker)
    assert "Completed" in run.stdout, (tmp_path / "worker.log").read_text()[-3000:]
    with reading(warehouse) as con:
        assert con.execute("SELECT count(*) FROM reviews").fetchall() == [(4,)]
        (run_row,) = con.execute("SELECT status, flow_run_id, flow_name FROM etl_runs").fetchall()
    assert run_row[0] == "completed"
    assert run_row[1] is not None
    assert run_row[2] == "ingest-reviews"


# ---------------------------------------------------------------------------------------
# the command line's own temporary Prefect server, on a machine that never ran Prefect


def first_run(tmp_path: Path, **extra_env: str) -> subprocess.CompletedProcess:
    """`reviewhouse ingest` of the seed page as on a fresh machine: an empty home, no
    Prefect database yet, no Prefect API configured."""
    home = tmp_path / "fresh-home"
    home.mkdir()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PREFECT_") or name == "PREFECT_SERVER_ANALYTICS_ENABLED"
    }
    env.update(HOME=str(home), PREFECT_HOME=str(home / ".prefect"), **extra_env)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "reviewhouse.cli",
            "ingest",
            str(SEED_PAGE),
            "--warehouse",
            str(tmp_path / "first.duckdb"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_a_first_run_on_a_fresh_machine_completes_and_says_how_long_it_took(tmp_path):
    started = time.monotonic()
    run = first_run(tmp_path)
    wall_s = time.monotonic() - started
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("completed: 1 pages read")
    assert (tmp_path / "fresh-home" / ".prefect").is_dir()  # Prefect's database made anew

    said_s = float(re.search(r"; ([0-9.]+) s\n", run.stdout)[1])
    with reading(tmp_path / "first.duckdb") as con:
        (timings,) = con.sql("SELECT * FROM run_timings").pl().iter_rows(named=True)
    # the line tells the whole command's time, the run's own and its start-up in it
    assert timings["run_seconds"] + timings["startup_seconds"] <= said_s + 0.1
    assert said_s <= wall_s
    assert timings["startup_seconds"] > 0  # the interpreter, the imports, Prefect's server
    stages = ("fetch_seconds", "parse_seconds", "validate_seconds", "load_seconds")
    assert all(timings[stage] >= 0 for stage in stages)
    assert sum(timings[stage] for stage in stages) <= timings["run_seconds"] + 0.01


def test_the_temporary_server_serves_prefect_api_until_stopped(tmp_path, monkeypatch):
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    server = TemporaryServer()
    try:
        server.wait_until_ready(timeout_s=120)
        assert httpx.get(f"{server.api_url}/health", timeout=5).json() is True
    finally:
        server.stop()
    assert server.process.returncode is not None
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.api_url}/health", timeout=5)


HEARTBEATS = """
from prefect.settings import get_current_settings
from reviewhouse.cli import _prefect_api

with _prefect_api(None):  # a configured API
    print(get_current_settings().flows.heartbeat_frequency)
"""


@pytest.mark.parametrize(("frequency", "expected"), [(None, "None"), ("60", "60")])
def test_the_command_s_runs_send_heartbeats_only_if_the_user_asks(tmp_path, frequency, expected):
    env = {} if frequency is None else {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": frequency}
    assert in_fresh_interpreter(HEARTBEATS, prefect_home=tmp_path, **env) == expected


API_CONFIGURED = "from reviewhouse.server import api_configured; print(api_configured())"


@pytest.mark.parametrize(
    ("profile", "env", "configured"),
    [
        (None, {}, False),
        (None, {"PREFECT_API_URL": "http://127.0.0.1:4200/api"}, True),
        ('active = "local"\n[profiles.local]\nPREFECT_API_URL = "http://h:4200/api"\n', {}, True),
        ('active = "local"\n[profiles.local]\nPREFECT_LOGGING_LEVEL = "INFO"\n', {}, False),
        ("not toml [", {}, False),
    ],
)
def test_a_configured_api_is_seen_without_importing_prefect(tmp_path, profile, env, configured):
    """Whether the command line starts a temporary server: an API in the environment or in
    the active profile means no."""
    if profile is not None:
        (tmp_path / "profiles.toml").write_text(profile)
    answer = in_fresh_interpreter(API_CONFIGURED, prefect_home=tmp_path, **env)
    assert answer == str(configured)


@pytest.mark.slow
@pytest.mark.parametrize("where", ["environment", "profile"])
def test_a_startup_timeout_the_user_set_is_kept_and_its_failure_is_one_line(where, tmp_path):
    # a second is far less than a new server takes to import and migrate its database
    if where == "profile":
        profiles = tmp_path / "profiles.toml"
        profiles.write_text(
            'active = "default"\n[profiles.default]\n'
            'PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS = "1"\n'
        )
        run = first_run(tmp_path, PREFECT_PROFILES_PATH=str(profiles))
    else:
        run = first_run(tmp_path, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="1")
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    (error,) = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    assert error.startswith("error: Prefect's temporary server did not start within 1 s")
    assert not (tmp_path / "first.duckdb").exists()


SERVER_TIMEOUT = """
from reviewhouse.cli import _prefect_api

class Server:  # records what the command line waits for; starts nothing
    api_url = "http://127.0.0.1:9/api"

    def wait_until_ready(self, timeout_s):
        print(timeout_s)

with _prefect_api(Server()):
    pass
"""


def test_with_no_timeout_set_the_server_gets_a_generous_one(tmp_path):
    asked = in_fresh_interpreter(SERVER_TIMEOUT, prefect_home=tmp_path)
    assert int(asked) >= 120  # Prefect's own 20 s did not always cover a first start
