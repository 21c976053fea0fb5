from __future__ import annotations

import pytest

from transforms.schema import (
    CRITICS_SCHEMA,
    FACT_COLUMNS,
    MOVIES_SCHEMA,
    PAGES_SEEN_SCHEMA,
    PUBLICATIONS_SCHEMA,
    QUARANTINE_SCHEMA,
    REVIEWS_SCHEMA,
    SCORE_SNAPSHOT_COLUMNS,
    SCORE_SNAPSHOTS_SCHEMA,
    VALIDATION_RESULTS_SCHEMA,
)
from warehouse.db import (
    WarehouseTooNewError,
    connect,
    latest_version,
    migrate,
    migrations,
    schema_version,
)

POLARS_TO_DUCKDB = {
    "String": "VARCHAR",
    "Float64": "DOUBLE",
    "Int32": "INTEGER",
    "Int64": "BIGINT",
    "Boolean": "BOOLEAN",
    "Date": "DATE",
    "Datetime(time_unit='us', time_zone='UTC')": "TIMESTAMP WITH TIME ZONE",
}


def columns(con, table: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $t",
        {"t": table},
    ).fetchall()
    return dict(rows)


def test_fresh_warehouse_gets_every_migration_once(warehouse_path):
    con = connect(warehouse_path)
    assert migrate(con) == [m.version for m in migrations()]
    assert migrate(con) == []
    assert schema_version(con) == latest_version()
    names = [row[0] for row in con.execute("SELECT name FROM schema_migrations").fetchall()]
    assert names == [m.name for m in migrations()]


def test_older_warehouse_is_upgraded(warehouse_path):
    con = connect(warehouse_path)
    con.execute(migrations()[0].sql)
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
        "applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
    )
    con.execute("INSERT INTO schema_migrations (version, name) VALUES (1, 'core')")
    applied = migrate(con)
    assert applied == [m.version for m in migrations()[1:]]
    assert "validation_results" in {row[0] for row in con.execute("SHOW TABLES").fetchall()}


def test_newer_warehouse_is_refused_with_a_clear_message(warehouse_path):
    con = connect(warehouse_path)
    migrate(con)
    con.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'future')")
    with pytest.raises(WarehouseTooNewError, match="newer than this reviewhouse"):
        migrate(con)


@pytest.mark.parametrize(
    ("table", "schema", "only"),
    [
        ("fct_reviews", REVIEWS_SCHEMA, FACT_COLUMNS),
        ("dim_movies", MOVIES_SCHEMA, None),
        ("dim_critics", CRITICS_SCHEMA, None),
        ("dim_publications", PUBLICATIONS_SCHEMA, None),
        ("quarantine", QUARANTINE_SCHEMA, None),
        ("validation_results", VALIDATION_RESULTS_SCHEMA, None),
        ("movie_score_snapshots", SCORE_SNAPSHOTS_SCHEMA, SCORE_SNAPSHOT_COLUMNS),
        ("pages", PAGES_SEEN_SCHEMA, ("start_url",)),
    ],
)
def test_polars_schemas_and_duckdb_ddl_agree(warehouse_path, table, schema, only):
    con = connect(warehouse_path)
    migrate(con)
    ddl = columns(con, table)
    names = only or schema.names()
    for name in names:
        expected = POLARS_TO_DUCKDB[str(schema[name])]
        if name in {"record", "observed_value"}:
            expected = "JSON"
        assert ddl.get(name) == expected, f"{table}.{name}"
