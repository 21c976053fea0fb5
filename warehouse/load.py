"""Loading one run into the warehouse: bulk, idempotent, all or nothing.

Every frame goes in through Arrow (Polars -> DuckDB), never row by row. The whole run is one
transaction: a failure anywhere rolls back everything the run wrote.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future
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
class RunRow:
    """One row of `etl_runs`, as the load records it (the orchestration keeps it up to date
    as the run goes; the load adds its counts and timings)."""

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


def load_run(con: duckdb.DuckDBPyConnection, batch: LoadBatch, run: RunRow) -> LoadCounts:
    """Upsert the batch and record the run, in one transaction."""
    load = Load(contextlib.nullcontext(con), run)
    load.begin(batch.raw, alongside=False)
    return load.finish(batch)


class Load:
    """One run's load: one transaction on one writer, in the steps a run takes them.

    `begin(raw)` opens the writer, starts the transaction and appends the raw records (they
    do not depend on what validation decides), all on the load's own thread, so that the
    run validates meanwhile. Then `finish(batch)` loads the batch that passed and commits,
    or `abandon()` rolls everything back (`abandon(evidence)` then keeps the evidence of a
    run that loaded nothing). An error in the block of `with Load(...)` rolls back too, and
    closes the writer with that error (nothing is published).

        with Load(writing(location), run) as load:
            load.begin(raw_paths)
            report = validate(...)
            counts = load.finish(batch) if report.passed else load.abandon()
    """

    def __init__(
        self, writer: contextlib.AbstractContextManager[duckdb.DuckDBPyConnection], run: RunRow
    ) -> None:
        self.run = run
        self._writer = writer
        self._stack = contextlib.ExitStack()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._begun: Future[None] | None = None
        self._in_transaction = False

    def begin(self, raw: Table | None, *, alongside: bool = True) -> None:
        """Open the writer, start the transaction and append `raw` (RAW_SCHEMA). `alongside`:
        on the load's own thread, DuckDB on one thread of its own, leaving the rest of the
        machine to what runs beside it; else here, with every thread."""
        if not alongside:
            self._begin(raw, share=False)
            return
        self._begun = Future()
        threading.Thread(target=self._begin_into, args=(self._begun, raw), name="load").start()

    def finish(self, batch: LoadBatch) -> LoadCounts:
        """Load `batch` after the raw records, record the run, commit and close the writer;
        on any error, everything is rolled back and the error raised."""
        try:
            con = self._begun_connection()
            counts = _merge(con, batch, self.run)
            con.execute("COMMIT")
            self._in_transaction = False
        except BaseException as error:
            self._close(error)
            raise
        self._close(None)
        return counts

    def abandon(self, evidence: tuple[Table, Mapping[str, Table]] | None = None) -> None:
        """Roll back everything the run wrote and close the writer; with `evidence`
        (quarantine, extra tables), keep that and the run's row (`record_failed_run`)."""
        try:
            con = self._begun_connection()
            self._rollback()
            if evidence is not None:
                record_failed_run(con, self.run, *evidence)
        except BaseException as error:
            self._close(error)
            raise
        self._close(None)

    def __enter__(self) -> Load:
        return self

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        if self._begun is not None:
            concurrent.futures.wait([self._begun])
        self._close(error)

    def _begin_into(self, done: Future[None], raw: Table | None) -> None:
        try:
            self._begin(raw, share=True)
        except BaseException as error:
            done.set_exception(error)
        else:
            done.set_result(None)

    def _begin(self, raw: Table | None, *, share: bool) -> None:
        started = time.perf_counter()
        # opening the writer: waiting for its lock and, when publishing by copy, the copy
        self._con = con = self._stack.enter_context(self._writer)
        self.run.stage_seconds["open_writer"] = round(time.perf_counter() - started, 3)
        con.execute("BEGIN TRANSACTION")
        self._in_transaction = True
        if raw is None or _is_empty(raw):
            return
        started = time.perf_counter()
        with _register(con, "batch_raw", raw), _sharing(con, share):
            run_script(con, read_sql("sql/load_layers.sql"), {"run_id": self.run.run_id})
        self.run.stage_seconds["load_raw"] = round(time.perf_counter() - started, 3)

    def _begun_connection(self) -> duckdb.DuckDBPyConnection:
        if self._begun is not None:
            begun, self._begun = self._begun, None
            begun.result()
        if self._con is None:
            raise RuntimeError("a load's `begin` comes before its `finish` or `abandon`")
        return self._con

    def _rollback(self) -> None:
        if self._in_transaction and self._con is not None:
            self._in_transaction = False
            self._con.execute("ROLLBACK")

    def _close(self, error: BaseException | None) -> None:
        """Roll back what is left open and close the writer, with `error` if there is one."""
        try:
            self._rollback()
        except Exception:
            if error is None:
                raise
        finally:
            self._con = None
            stack, self._stack = self._stack, contextlib.ExitStack()
            if error is None:
                stack.close()
            else:
                stack.__exit__(type(error), error, error.__traceback__)


def _merge(con: duckdb.DuckDBPyConnection, batch: LoadBatch, run: RunRow) -> LoadCounts:
    """The validated batch into the marts, inside the run's transaction; the run recorded."""
    started = time.perf_counter()
    params = {"run_id": run.run_id, "now": datetime.now(UTC)}
    with contextlib.ExitStack() as views:
        for name in ("reviews", "movies", "critics", "publications"):
            views.enter_context(_register(con, f"batch_{name}", getattr(batch, name)))
        staged = _row_count(con, "SELECT count(*) FROM batch_reviews", {})
        run_script(con, read_sql("sql/merge_movies.sql"), params)
        snapshots_new = 0
        if not _is_empty(batch.score_snapshots):
            views.enter_context(_register(con, "batch_score_snapshots", batch.score_snapshots))
            # the snapshots' movies through the same merge as the reviews' movies
            con.unregister("batch_movies")
            con.register("batch_movies", con.sql(read_sql("sql/snapshot_movies.sql")))
            run_script(con, read_sql("sql/merge_movies.sql"), params)
            snapshots_new = _row_count(con, read_sql("sql/insert_score_snapshots.sql"), params)
        run_script(con, read_sql("sql/merge_dimensions.sql"), params)
        updated = _row_count(con, read_sql("sql/update_reviews.sql"), params)
        new = _row_count(con, read_sql("sql/insert_reviews.sql"), params)
        counts = LoadCounts(
            new=new, updated=updated, unchanged=staged - new - updated, snapshots_new=snapshots_new
        )
        if batch.pages_seen is not None and not _is_empty(batch.pages_seen):
            views.enter_context(_register(con, "batch_pages_seen", batch.pages_seen))
            run_script(con, read_sql("sql/merge_pages.sql"), params)
    _append(con, "quarantine", batch.quarantine)
    for table, frame in batch.extra_tables.items():
        _append(con, table, frame)
    run.reviews_new, run.reviews_updated = counts.new, counts.updated
    run.reviews_unchanged, run.reviews_loaded = counts.unchanged, counts.loaded
    run.stage_seconds["load"] = round(time.perf_counter() - started, 3)
    run.ended_at = datetime.now(UTC)  # the run ends with its row
    record_run(con, run)
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
    run: RunRow,
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


def record_run(con: duckdb.DuckDBPyConnection, run: RunRow) -> None:
    values = {
        **{column.name: getattr(run, column.name) for column in fields(run)},
        "parameters": json.dumps(run.parameters, default=str),
        "stage_seconds": json.dumps(run.stage_seconds),
        "warnings": json.dumps(run.warnings),
    }
    run_script(con, read_sql("sql/record_run.sql"), values)


@contextlib.contextmanager
def _register(con: duckdb.DuckDBPyConnection, name: str, table: Table) -> Iterator[None]:
    """`table` queryable as the temporary view `name` for the block: a frame through Arrow,
    Parquet files read by DuckDB directly. Optional columns it lacks are added as NULL."""
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
    try:
        yield
    finally:
        # refused inside a transaction an error aborted; the error in flight is the news
        with contextlib.suppress(duckdb.Error):
            con.unregister(name)


def _is_empty(table: Table) -> bool:
    return table.is_empty() if isinstance(table, pl.DataFrame) else not table


def _append(con: duckdb.DuckDBPyConnection, table: str, source: Table) -> None:
    if _is_empty(source):
        return
    name = f"batch_append_{table}"
    with _register(con, name, source):
        con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM "{name}"')


def _row_count(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any]) -> int:
    """Run one INSERT or UPDATE and return how many rows it changed."""
    (statement,) = con.extract_statements(sql)
    wanted = statement.named_parameters
    rows = con.execute(statement, {k: v for k, v in params.items() if k in wanted}).fetchall()
    return int(rows[0][0]) if rows else 0
