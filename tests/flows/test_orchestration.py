"""Flow design for real volumes: the fan-out on other runners, backfill in chunks, artifacts."""

from __future__ import annotations

from datetime import date

import pytest
from prefect.client.orchestration import get_client
from pytest_httpserver import HTTPServer

from bench.render import Movie, Review, review_table_row
from flows.backfill import backfill_reviews
from flows.ingest import ingest_reviews
from flows.options import IngestOptions
from tests.flows.test_ingest import ingest, reviews
from tests.helpers import table
from warehouse.publish import reading

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.mark.parametrize("runner", ["processes", "dask"])
def test_fan_out_on_other_runners_gives_the_same_warehouse(runner, pages_dir, tmp_path):
    threads = ingest([pages_dir], tmp_path / "threads.duckdb")
    other = ingest([pages_dir], tmp_path / f"{runner}.duckdb", runner=runner, batch_size=3)
    assert (other.status, other.reviews_loaded) == ("completed", threads.reviews_loaded)
    assert reviews(tmp_path / f"{runner}.duckdb") == reviews(tmp_path / "threads.duckdb")


def test_backfill_runs_movies_in_chunks(httpserver: HTTPServer, tmp_path):
    slugs = ["alpha_film", "beta_film", "gamma_film"]
    for number, slug in enumerate(slugs, start=1):
        movie = Movie(slug.replace("_", " ").title(), slug, 2020)
        review = Review(
            "A Critic", "A Paper", f"Fine film {number}.", date(2020, 1, number), "3/4", True
        )
        httpserver.expect_request(f"/m/{slug}/reviews").respond_with_data(
            review_table_row(movie, [review]), content_type="text/html"
        )
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    totals = backfill_reviews(
        movies=slugs,
        chunk_size=2,
        base_url=httpserver.url_for("/"),
        options=IngestOptions(
            warehouse=str(tmp_path / "backfill.duckdb"), allow_hosts=["127.0.0.1"], min_delay_s=0
        ),
    )
    assert totals == {"chunks": 2, "failed_chunks": 0, "reviews_new": 3, "reviews_loaded": 3}
    with reading(tmp_path / "backfill.duckdb") as con:
        assert table(con, "SELECT count(*) FROM etl_runs WHERE status = 'completed'") == [(2,)]
        assert table(con, "SELECT count(*) FROM dim_movies") == [(3,)]


def test_each_run_publishes_a_markdown_artifact(pages_dir, tmp_path):
    run = ingest([pages_dir], tmp_path / "art.duckdb")
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts()
    ours = [a for a in artifacts if a.key == "reviewhouse-run" and run.run_id in (a.data or "")]
    (artifact,) = ours
    assert "| reviews loaded | 62 |" in artifact.data
    assert "## Top quarantine reasons" in artifact.data
    assert "Validation report (GX Data Docs)" in artifact.data


def test_a_writer_limit_holds_a_prefect_concurrency_slot_while_loading(pages_dir, tmp_path):
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

    with get_client(sync_client=True) as client:
        client.create_global_concurrency_limit(
            GlobalConcurrencyLimitCreate(name="test-warehouse-writer", limit=1)
        )
        run = ingest([pages_dir], tmp_path / "limited.duckdb", writer_limit="test-warehouse-writer")
        limit = client.read_global_concurrency_limit_by_name("test-warehouse-writer")
    assert (run.status, run.reviews_new) == (
        "completed",
        run.reviews_parsed - run.reviews_quarantined,
    )
    assert run.reviews_new > 0
    assert limit.active_slots == 0  # taken for the load, given back


def test_a_missing_writer_limit_fails_the_run_and_loads_nothing(pages_dir, tmp_path):
    warehouse = tmp_path / "unlimited.duckdb"
    state = ingest_reviews(
        sources=[str(pages_dir)],
        options=IngestOptions(warehouse=str(warehouse), writer_limit="no-such-limit"),
        return_state=True,
    )
    assert state.is_failed()
    assert "no-such-limit" in str(state.result(raise_on_failure=False))
    assert not warehouse.exists()
