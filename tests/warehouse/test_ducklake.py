"""The warehouse on a DuckLake catalog: the same migrations, views and loads, same result.

A DuckLake catalog is where one warehouse file is outgrown (many writers, data on object
storage), so the SQL stays portable to it: no primary keys, no computed defaults. This runs
reviewhouse's own `writing` and `load_run` on the location `ducklake:<catalog>`, as
`reviewhouse --warehouse` takes it, in a virtualenv holding DuckDB 1.5 and its `ducklake`
extension from PyPI (the one place this machine can get an extension from), and compares
the result with the same batch loaded into a DuckDB file.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from flows import stages
from flows.pages import file_page
from tests.conftest import DEMO_PAGES, ROOT
from tests.helpers import batch_of, python_with
from tests.warehouse.snapshots import capture, snapshots
from transforms.normalize import normalize_reviews
from transforms.schema import PAGES_SEEN_SCHEMA
from warehouse.load import LoadBatch, RunRow, load_run
from warehouse.publish import reading, writing

DEMO_TXT = sorted(DEMO_PAGES.glob("*.txt"))
LAYERS = (
    "SELECT (SELECT count(*) FROM movie_scorecard), (SELECT count(*) FROM raw_reviews), "
    "(SELECT count(*) FROM stg_reviews), (SELECT count(*) FROM pages), "
    "(SELECT count(*) FROM etl_runs), (SELECT count(*) FROM movie_score_snapshots)"
)
HISTORY = (
    "SELECT movie_id, CAST(day AS VARCHAR), tomatometer, tomatometer_change "
    "FROM tomatometer_history ORDER BY ALL"
)
DUCKDB_WITH_DUCKLAKE = "1.5.5"  # the newest DuckDB the PyPI ducklake extension is built for

LOAD_ON_DUCKLAKE = """
import datetime, json, pathlib, shutil, sys
import duckdb, duckdb_extension_ducklake
from warehouse.load import LoadBatch, RunRow, load_run
from warehouse.publish import writing

catalog, tables, (LAYERS, HISTORY) = (
    pathlib.Path(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
)
# installed where DuckDB looks for extensions (under $HOME, a temporary one here)
version = f"v{duckdb.__version__}"
installed = pathlib.Path.home() / ".duckdb" / "extensions" / version / "linux_amd64"
installed.mkdir(parents=True, exist_ok=True)
shutil.copy(
    pathlib.Path(duckdb_extension_ducklake.__file__).parent
    / "extensions" / version / "ducklake.duckdb_extension",
    installed,
)
location = f"ducklake:{catalog / 'meta.ducklake'}"  # as given to `reviewhouse --warehouse`
batch = LoadBatch(**tables)
counts = []
for run_id in ("r1", "r2"):
    with writing(location) as con:
        loaded = load_run(con, batch, RunRow(run_id, datetime.datetime.now(datetime.UTC)))
    counts.append([loaded.new, loaded.updated, loaded.unchanged])
con = duckdb.connect(location)
reviews = con.execute(
    "SELECT review_id, movie_title, critic_name, publication, CAST(review_date AS VARCHAR), "
    "score_raw, score_normalized, is_fresh, last_run_id FROM reviews ORDER BY review_id"
).fetchall()
layers = con.execute(LAYERS).fetchall()[0]
history = con.execute(HISTORY).fetchall()
print(json.dumps({"counts": counts, "reviews": reviews, "layers": layers, "history": history}))
"""


@pytest.fixture(scope="session")
def ducklake_python(tmp_path_factory) -> Path:
    return python_with(
        tmp_path_factory.mktemp("ducklake-venv"),
        f"duckdb=={DUCKDB_WITH_DUCKLAKE}",
        f"duckdb-extension-ducklake=={DUCKDB_WITH_DUCKLAKE}",
        "polars>=1.30",
    )


def parquet_batch(directory: Path) -> LoadBatch:
    """The demo pages as a load batch of Parquet files, as a run hands them to the load."""
    pages = DEMO_TXT
    parsed = stages.parse_pages([file_page(page) for page in pages], run_id="test")
    seen = pl.DataFrame(
        [
            {
                "url": page.as_uri(),
                "content_hash": f"h{number}",
                "source_kind": "file",
                "fetched_at": datetime(2026, 1, 1, tzinfo=UTC),
                "last_seen_at": datetime(2026, 1, 1, tzinfo=UTC),
                "links": ["https://x/next"],
            }
            for number, page in enumerate(pages)
        ],
        schema=PAGES_SEEN_SCHEMA,
    )
    reviews = normalize_reviews(parsed.raw)
    movie_id = reviews.get_column("movie_id")[0]
    day = datetime(2026, 1, 1, 22, tzinfo=UTC)
    scores = snapshots(
        capture("any", day, 90, movie_id=movie_id),
        capture("any", day + timedelta(days=1), 88, movie_id=movie_id),
        capture("scorecard_only", day, 75, title="Scorecard Only"),
    )
    batch = replace(batch_of(reviews), raw=parsed.raw, pages_seen=seen, score_snapshots=scores)
    tables = {}
    for field in fields(batch):
        frame = getattr(batch, field.name)
        if not isinstance(frame, pl.DataFrame):
            continue
        path = directory / f"{field.name}.parquet"
        frame.write_parquet(path)
        tables[field.name] = [str(path)]
    return LoadBatch(**tables)


@pytest.mark.slow
def test_migrations_views_and_loads_run_unchanged_on_a_ducklake_catalog(tmp_path, ducklake_python):
    batch = parquet_batch(tmp_path)
    catalog = tmp_path / "lake"
    catalog.mkdir()
    result = subprocess.run(
        [
            str(ducklake_python),
            "-c",
            LOAD_ON_DUCKLAKE,
            str(catalog),
            json.dumps(
                {
                    field.name: getattr(batch, field.name)
                    for field in fields(batch)
                    if field.name != "extra_tables"
                }
            ),
            json.dumps([LAYERS, HISTORY]),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path / "home")},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lake = json.loads(result.stdout)

    warehouse = tmp_path / "file.duckdb"
    for run_id in ("r1", "r2"):
        with writing(warehouse) as con:
            load_run(con, batch, RunRow(run_id, datetime.now(UTC)))
    with reading(warehouse) as con:
        expected = con.execute(
            "SELECT review_id, movie_title, critic_name, publication, "
            "CAST(review_date AS VARCHAR), score_raw, score_normalized, is_fresh, last_run_id "
            "FROM reviews ORDER BY review_id"
        ).fetchall()

        expected_layers = con.execute(LAYERS).fetchall()[0]
        expected_history = con.execute(HISTORY).fetchall()

    reviews = len(expected)
    assert lake["counts"] == [[reviews, 0, 0], [0, 0, reviews]]  # idempotent there too
    assert [tuple(row) for row in lake["reviews"]] == expected
    assert tuple(lake["layers"]) == expected_layers
    assert expected_layers[2:] == (reviews, len(DEMO_TXT), 2, 3)  # staging, pages, runs, scores
    assert [tuple(row) for row in lake["history"]] == expected_history
    assert [row[1:] for row in expected_history] == [
        ("2026-01-01", 90, None),
        ("2026-01-02", 88, -2),
        ("2026-01-01", 75, None),
    ]
