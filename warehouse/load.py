"""Loading one run into the warehouse: bulk, idempotent, all or nothing.

Every frame goes in through Arrow (Polars -> DuckDB), never row by row. The whole run is one
transaction: a failure anywhere rolls back everything the run wrote.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from warehouse.db import read_sql


@dataclass(frozen=True, slots=True)
class LoadCounts:
    """What a load did to the reviews (and how many score snapshots it added)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    snapshots_new: int = 0

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


# A batch table is a Polars frame, or Parquet files DuckDB reads itself (no Python memory).
Table = pl.DataFrame | Sequence[str | Path]

# Columns a batch table may lack, by the name it is registered under, and their SQL type:
# they came after some of the code and files that build batches (benchmarks, hand-built
# frames, staging files of an older version), and a batch without them loads them as NULL.
OPTIONAL_COLUMNS: dict[str, dict[str, str]] = {
    "batch_reviews": {"source_review_id": "VARCHAR"},
    "batch_pages_seen": {"start_url": "VARCHAR"},
}


@dataclass(frozen=True, slots=True)
class LoadBatch:
    """Everything one run writes. Tables follow the schemas in `transforms.schema`."""

    reviews: Table
    movies: Table
    critics: Table
    publications: Table
    quarantine: Table
    pages_seen: Table | None = None  # PAGES_SEEN_SCHEMA, merged into `pages`
    raw: Table | None = None  # RAW_SCHEMA: the records as parsed, for `raw_reviews`
    # SCORE_SNAPSHOTS_SCHEMA: RT's scorecards as pages showed them, for
    # `movie_score_snapshots`; their movies join `dim_movies` as the reviews' do.
    score_snapshots: Table = ()
    extra_tables: Mapping[str, Table] = field(default_factory=dict)


def run_script(
    con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None
) -> None:
    """Run every statement of `sql`, giving each the named parameters it uses."""
    for statement in con.extract_statements(sql):
        wanted = statement.named_parameters
        con.execute(statement, {k: v for k, v in (params or {}).items() if k in wanted} or None)


def load_run(con: duckdb.DuckDBPyConnection, batch: LoadBatch, run: RunRecord) -> LoadCounts:
    """Upsert the batch and record the run, in one transaction."""
    counts = _load(con, run, batch.raw, lambda: batch, share=False)
    assert counts is not None  # a batch in hand is never refused
    return counts


def load_while_validating(
    con: duckdb.DuckDBPyConnection,
    raw: Table | None,
    run: RunRecord,
    validated: Callable[[], LoadBatch | None],
) -> LoadCounts | None:
    """`load_run` for a run whose batch is still being validated: the raw layer goes in
    first, on one thread, while `validated` waits for the batch that passed; then the rest.
    All in one transaction: when `validated` returns None (the batch failed) or raises,
    nothing of the run is kept, and None is returned.

    The raw layer does not depend on what validation decides, and inserting it took as long
    as validating; on one thread, it leaves validation a core of its own.
    """
    return _load(con, run, raw, validated, share=True)


def _load(
    con: duckdb.DuckDBPyConnection,
    run: RunRecord,
    raw: Table | None,
    validated: Callable[[], LoadBatch | None],
    *,
    share: bool,
) -> LoadCounts | None:
    started = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    registered: list[str] = []
    try:
        if raw is not None and not _is_empty(raw):
            registered.append(_register(con, "batch_raw", raw))
            with _sharing(con, share):
                run_script(con, read_sql("sql/load_layers.sql"), {"run_id": run.run_id})
            run.stage_seconds["load_raw"] = round(time.perf_counter() - started, 3)
        batch = validated()
        if batch is None:
            con.execute("ROLLBACK")
            return None
        started = time.perf_counter()
        params = {"run_id": run.run_id, "now": datetime.now(UTC)}
        for name in ("reviews", "movies", "critics", "publications"):
            registered.append(_register(con, f"batch_{name}", getattr(batch, name)))
        staged = _row_count(con, "SELECT count(*) FROM batch_reviews", {})
        run_script(con, read_sql("sql/merge_movies.sql"), params)
        snapshots_new = 0
        if not _is_empty(batch.score_snapshots):
            registered.append(_register(con, "batch_score_snapshots", batch.score_snapshots))
            # the snapshots' movies through the same merge as the reviews' movies
            con.unregister("batch_movies")
            con.register("batch_movies", con.sql(read_sql("sql/snapshot_movies.sql")))
            run_script(con, read_sql("sql/merge_movies.sql"), params)
            snapshots_new = _row_count(con, read_sql("sql/insert_score_snapshots.sql"), params)
        run_script(con, read_sql("sql/merge_dimensions.sql"), params)
        updated = _row_count(con, read_sql("sql/update_reviews.sql"), params)
        new = _row_count(con, read_sql("sql/insert_reviews.sql"), params)
        counts = LoadCounts(
            new=new,
            updated=updated,
            unchanged=staged - new - updated,
            snapshots_new=snapshots_new,
        )
        if batch.pages_seen is not None and not _is_empty(batch.pages_seen):
            registered.append(_register(con, "batch_pages_seen", batch.pages_seen))
            run_script(con, read_sql("sql/merge_pages.sql"), params)
        _append(con, "quarantine", batch.quarantine)
        for table, frame in batch.extra_tables.items():
            _append(con, table, frame)
        run.reviews_new, run.reviews_updated = counts.new, counts.updated
        run.reviews_unchanged, run.reviews_loaded = counts.unchanged, counts.loaded
        run.stage_seconds["load"] = round(time.perf_counter() - started, 3)
        record_run(con, run)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in registered:
            con.unregister(name)
    return counts


@contextlib.contextmanager
def _sharing(con: duckdb.DuckDBPyConnection, share: bool) -> Iterator[None]:
    """When `share`: DuckDB on one thread for the block, leaving the validation running
    beside it a core of its own."""
    if not share:
        yield
        return
    (threads,) = con.execute("SELECT current_setting('threads')").fetchone() or (None,)
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        con.execute("SET threads = $threads", {"threads": threads})


def record_failed_run(
    con: duckdb.DuckDBPyConnection,
    run: RunRecord,
    quarantine: Table,
    extra_tables: Mapping[str, Table] | None = None,
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


def _register(con: duckdb.DuckDBPyConnection, name: str, table: Table) -> str:
    """Make `table` queryable as the temporary view `name`: a frame through Arrow, Parquet
    files read by DuckDB directly. Optional columns it lacks are added as NULL."""
    if isinstance(table, pl.DataFrame):
        relation = con.from_arrow(table.to_arrow())
    else:
        relation = con.read_parquet([str(path) for path in table])
    optional = OPTIONAL_COLUMNS.get(name, {})
    missing = [column for column in optional if column not in relation.columns]
    if missing:
        added = (f'NULL::{optional[column]} AS "{column}"' for column in missing)
        relation = relation.project(", ".join(["*", *added]))
    con.register(name, relation)
    return name


def _is_empty(table: Table) -> bool:
    return table.is_empty() if isinstance(table, pl.DataFrame) else not table


def _append(con: duckdb.DuckDBPyConnection, table: str, source: Table) -> None:
    if _is_empty(source):
        return
    name = _register(con, f"batch_append_{table}", source)
    con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM "{name}"')
    con.unregister(name)


def _row_count(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any]) -> int:
    """Run one INSERT or UPDATE and return how many rows it changed."""
    (statement,) = con.extract_statements(sql)
    wanted = statement.named_parameters
    rows = con.execute(statement, {k: v for k, v in params.items() if k in wanted}).fetchall()
    return int(rows[0][0]) if rows else 0
