"""Loading one run into the warehouse: bulk, idempotent, all or nothing.

Every frame goes in through Arrow (Polars -> DuckDB), never row by row. The whole run is one
transaction: a failure anywhere rolls back everything the run wrote.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

import duckdb
import polars as pl

from warehouse.db import read_sql


@dataclass(frozen=True, slots=True)
class LoadCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def loaded(self) -> int:
        return self.new + self.updated + self.unchanged


@dataclass(slots=True)
class RunRecord:
    """One row of `etl_runs`."""

    run_id: str
    started_at: datetime
    flow_run_id: str | None = None
    flow_name: str | None = None
    ended_at: datetime | None = None
    status: str = "running"
    parameters: dict[str, Any] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    pages_read: int = 0
    pages_failed: int = 0
    pages_skipped: int = 0
    reviews_parsed: int = 0
    reviews_quarantined: int = 0
    reviews_loaded: int = 0
    reviews_new: int = 0
    reviews_updated: int = 0
    reviews_unchanged: int = 0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    report_path: str | None = None
    error_summary: str | None = None

    @property
    def seconds(self) -> float:
        if self.ended_at is None:
            return 0.0
        return (self.ended_at - self.started_at).total_seconds()

    def summary_line(self) -> str:
        """One line for a terminal or a log: what the run did."""
        pages = f"{self.pages_read} pages read ({self.pages_failed} failed"
        pages += f", {self.pages_skipped} unchanged)" if self.pages_skipped else ")"
        reviews = (
            f"{self.reviews_loaded} reviews loaded ({self.reviews_new} new, "
            f"{self.reviews_updated} updated, {self.reviews_unchanged} unchanged), "
            f"{self.reviews_quarantined} quarantined"
        )
        line = f"{self.status}: {pages}; {reviews}; {self.seconds:.1f} s"
        if self.error_summary:
            line += f" - {self.error_summary}"
        return line


@dataclass(frozen=True, slots=True)
class LoadBatch:
    """Everything one run writes. Frames follow the schemas in `transforms.schema`."""

    reviews: pl.DataFrame
    movies: pl.DataFrame
    critics: pl.DataFrame
    publications: pl.DataFrame
    quarantine: pl.DataFrame
    pages_seen: pl.DataFrame | None = None  # PAGES_SEEN_SCHEMA, merged into `pages`
    extra_tables: Mapping[str, pl.DataFrame] = field(default_factory=dict)


def run_script(
    con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None
) -> None:
    """Run every statement of `sql`, giving each the named parameters it uses."""
    for statement in con.extract_statements(sql):
        wanted = statement.named_parameters
        con.execute(statement, {k: v for k, v in (params or {}).items() if k in wanted} or None)


def load_run(con: duckdb.DuckDBPyConnection, batch: LoadBatch, run: RunRecord) -> LoadCounts:
    """Upsert the batch and record the run, in one transaction."""
    now = datetime.now(UTC)
    params = {"run_id": run.run_id, "now": now}
    con.execute("BEGIN TRANSACTION")
    try:
        _register(con, batch)
        run_script(con, read_sql("sql/merge_dimensions.sql"), params)
        run_script(con, read_sql("sql/classify_reviews.sql"), params)
        counts = _change_counts(con)
        run_script(con, read_sql("sql/merge_reviews.sql"), params)
        if batch.pages_seen is not None and not batch.pages_seen.is_empty():
            con.register("batch_pages_seen", batch.pages_seen.to_arrow())
            run_script(con, read_sql("sql/merge_pages.sql"), params)
            con.unregister("batch_pages_seen")
        _append(con, "quarantine", batch.quarantine)
        for table, frame in batch.extra_tables.items():
            _append(con, table, frame)
        run.reviews_new, run.reviews_updated = counts.new, counts.updated
        run.reviews_unchanged, run.reviews_loaded = counts.unchanged, counts.loaded
        record_run(con, run)
        con.execute("DROP TABLE IF EXISTS review_changes")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        _unregister(con)
    return counts


def record_failed_run(
    con: duckdb.DuckDBPyConnection,
    run: RunRecord,
    quarantine: pl.DataFrame,
    extra_tables: Mapping[str, pl.DataFrame] | None = None,
) -> None:
    """Keep the evidence of a run that loaded nothing: its quarantine and its run row."""
    con.execute("BEGIN TRANSACTION")
    try:
        _append(con, "quarantine", quarantine)
        for table, frame in (extra_tables or {}).items():
            _append(con, table, frame)
        record_run(con, run)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def record_run(con: duckdb.DuckDBPyConnection, run: RunRecord) -> None:
    values = {
        **{column.name: getattr(run, column.name) for column in fields(run)},
        "parameters": json.dumps(run.parameters, default=str),
        "stage_seconds": json.dumps(run.stage_seconds),
        "warnings": json.dumps(run.warnings),
    }
    run_script(con, read_sql("sql/record_run.sql"), values)


def _register(con: duckdb.DuckDBPyConnection, batch: LoadBatch) -> None:
    for name in ("reviews", "movies", "critics", "publications"):
        con.register(f"batch_{name}", getattr(batch, name).to_arrow())


def _unregister(con: duckdb.DuckDBPyConnection) -> None:
    for name in ("reviews", "movies", "critics", "publications"):
        con.unregister(f"batch_{name}")


def _append(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if frame.is_empty():
        return
    arrow = frame.to_arrow()  # noqa: F841 - read by DuckDB's replacement scan below
    con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM arrow')


def _change_counts(con: duckdb.DuckDBPyConnection) -> LoadCounts:
    rows = con.execute("SELECT change, count(*) FROM review_changes GROUP BY change").fetchall()
    counts = dict(rows)
    return LoadCounts(
        new=counts.get("new", 0),
        updated=counts.get("updated", 0),
        unchanged=counts.get("unchanged", 0),
    )
