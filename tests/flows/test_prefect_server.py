"""The deployments as users run them: a real Prefect server, `prefect deploy --all`, a process
worker, and `daily-ingest` triggered against a local web server."""

from __future__ import annotations

import json
import os
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
from tests.conftest import ROOT
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
            "warehouse": str(warehouse),
            "allow_hosts": ["127.0.0.1"],
            "min_delay_s": 0,
            "autothrottle": False,
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
