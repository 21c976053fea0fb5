"""Readers of the warehouse: DuckDB 1.x, SQLAlchemy BI drivers, Parquet, the README's SQL."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from tests.conftest import DEMO_PAGES, ROOT
from tests.helpers import batch_of, python_with, reviews_from
from warehouse.export import export_parquet
from warehouse.load import RunRow, load_run
from warehouse.publish import reading, writing

README_SQL = re.findall(r"```sql\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


@pytest.fixture(scope="module")
def demo_reviews() -> pl.DataFrame:
    pages = sorted(p for p in DEMO_PAGES.iterdir() if p.suffix in {".txt", ".html"})
    return reviews_from(*pages)


@pytest.fixture(scope="module")
def demo_movies(demo_reviews) -> int:
    return demo_reviews.get_column("movie_id").n_unique()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, demo_reviews) -> Path:
    path = tmp_path_factory.mktemp("readers") / "reviews.duckdb"
    with writing(path) as con:
        load_run(con, batch_of(demo_reviews), RunRow("r1", datetime.now(UTC)))
    return path


@pytest.fixture(scope="session")
def duckdb_1_1(tmp_path_factory) -> Path:
    """A separate virtualenv with DuckDB 1.1, as older shells and BI drivers bundle it."""
    return python_with(tmp_path_factory.mktemp("duckdb-1.1"), "duckdb==1.1.*")


def readme_queries() -> list[str]:
    statements = [s.strip() for block in README_SQL for s in block.split(";") if s.strip()]
    return [s for s in statements if not s.upper().startswith(("INSTALL", "ATTACH"))]


def test_readme_holds_example_queries():
    assert len(readme_queries()) >= 3


def test_readme_queries_run_on_this_duckdb(warehouse):
    with reading(warehouse) as con:
        for query in readme_queries():
            assert con.execute(query).fetchall() is not None


def test_duckdb_1_1_opens_the_warehouse_and_runs_the_readme_queries(
    warehouse, duckdb_1_1, demo_movies
):
    script = (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "counts = [len(con.execute(q).fetchall()) for q in json.loads(sys.argv[2])]\n"
        "views = [r[0] for r in con.execute('SELECT view_name FROM duckdb_views() "
        "WHERE NOT internal ORDER BY 1').fetchall()]\n"
        "print(json.dumps({'version': duckdb.__version__, 'counts': counts, 'views': views}))\n"
    )
    result = subprocess.run(
        [str(duckdb_1_1), "-c", script, str(warehouse), json.dumps(readme_queries())],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["version"].startswith("1.1.")
    assert report["counts"][0] == demo_movies  # the scorecard has a row per demo movie
    assert set(report["views"]) >= {
        "reviews",
        "movie_scorecard",
        "critic_profile",
        "monthly_reviews",
        "score_format_mix",
        "tomatometer_history",
    }


def test_sqlalchemy_reads_the_marts_read_only(warehouse, demo_reviews):
    engine = sa.create_engine(f"duckdb:///{warehouse}", connect_args={"read_only": True})
    with engine.connect() as con:
        inspector = sa.inspect(con)
        assert {"fct_reviews", "dim_movies", "dim_critics"} <= set(inspector.get_table_names())
        assert "movie_scorecard" in inspector.get_view_names()
        top = con.execute(
            sa.text(
                "SELECT movie_title, reviews FROM movie_scorecard ORDER BY reviews DESC LIMIT 1"
            )
        ).one()
        most = demo_reviews.group_by("movie_title").len().sort("len", descending=True).row(0)
        assert tuple(top) == most
        with pytest.raises(sa.exc.DBAPIError, match="read-only"):
            con.execute(sa.text("DELETE FROM fct_reviews"))
    engine.dispose()


def test_parquet_export_is_partitioned_by_year(warehouse, tmp_path, demo_movies):
    counts = export_parquet(str(warehouse), tmp_path / "export")
    years = sorted(p.name for p in (tmp_path / "export" / "reviews").iterdir())
    assert "review_year=2005" in years
    assert "review_year=2022" in years
    back = pl.read_parquet(
        tmp_path / "export" / "reviews" / "**" / "*.parquet", hive_partitioning=True
    )
    assert back.height == counts["reviews"]
    with reading(warehouse) as con:
        assert con.execute("SELECT count(*) FROM reviews").fetchall()[0][0] == back.height
    assert pl.read_parquet(tmp_path / "export" / "movie_scorecard.parquet").height == demo_movies
    history = pl.read_parquet(tmp_path / "export" / "tomatometer_history.parquet")
    assert history.height == counts["tomatometer_history"] == 0  # the demo has no scorecards
    assert "tomatometer_change" in history.columns
