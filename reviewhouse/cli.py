"""The `reviewhouse` command line: a thin layer over the Prefect flows and the warehouse.

Exit codes: 0 the run completed (even with quarantined pages or rows), 1 the run failed and
nothing was loaded, 2 a usage error. Errors are one line on stderr, never a traceback (the
Prefect UI keeps the tracebacks of a run's logs). URLs are printed with their passwords
redacted.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

# Quiet, offline defaults for Prefect's temporary server; users can override any of them.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("DO_NOT_TRACK", "1")

import typer

from flows.options import IngestOptions, RunOptions
from flows.paths import WAREHOUSE_ENV, resolve_warehouse
from reviewhouse.options import with_options

if TYPE_CHECKING:
    from flows.runs import RunRecord
    from reviewhouse.server import TemporaryServer

app = typer.Typer(
    name="reviewhouse",
    help="Turn film critics' review pages into a clean, analysable DuckDB warehouse.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

WarehouseOption = Annotated[
    str | None,
    typer.Option(
        "--warehouse",
        "-w",
        envvar=WAREHOUSE_ENV,
        help="Warehouse file or DuckDB connection string (default: data/reviewhouse.duckdb).",
        show_default=False,
    ),
]


@app.callback()
def _commands() -> None:
    """Turn film critics' review pages into a clean, analysable DuckDB warehouse."""


Options = TypeVar("Options", bound=RunOptions)

# Prefect's temporary server migrates a new database on its first start: on a busy machine
# that took most of Prefect's default 20 s, so a first run could fail before it began.
SERVER_STARTUP_TIMEOUT_S = 120


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {redact(message)}", err=True)
    return typer.Exit(code)


@app.command()
@with_options(IngestOptions)
def ingest(
    sources: Annotated[
        list[str],
        typer.Argument(
            metavar="SOURCE...",
            help=(
                "http(s) URL, rt:<slug> or rt:tv/<show>/s01 (a Rotten Tomatoes title), "
                "page file, directory of pages, CSV dataset, or @list.txt."
            ),
        ),
    ],
    options: IngestOptions,
) -> None:
    """Ingest review pages into the warehouse and print a one-line summary."""
    with _head_start() as server:
        from flows.sources import SourceError, resolve_sources

        try:
            resolve_sources(sources)
        except SourceError as error:
            raise fail(str(error), code=2) from None
        options = _with_warehouse(options, writable=True)

        from flows.fetch.urls import hide_password
        from flows.ingest import ingest_reviews

        # The flow's parameters go to Prefect's database and UI: passwords stay here.
        run = _run_flow(
            server, ingest_reviews, sources=[hide_password(s) for s in sources], options=options
        )
    _report(run)


@app.command()
@with_options(RunOptions)
def reprocess(
    since: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Only pages fetched on or after this date."),
    ] = None,
    layout: Annotated[
        str | None,
        typer.Option(help="Only pages of this layout ('unknown': pages no parser recognised)."),
    ] = None,
    *,
    options: RunOptions,
) -> None:
    """Re-parse stored raw pages with today's parsers, without the network."""
    from parsers.detect import LAYOUTS

    if layout is not None and layout not in (*LAYOUTS, "kaggle_csv", "unknown"):
        raise fail(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}, unknown", code=2)
    with _head_start() as server:
        options = _with_warehouse(options, must_exist=True, writable=True)

        from flows.reprocess import reprocess_pages

        run = _run_flow(
            server,
            reprocess_pages,
            since=since.date() if since else None,
            layout=layout,
            options=options,
        )
    _report(run)


def _with_warehouse(options: Options, *, must_exist: bool = False, writable: bool) -> Options:
    """`options` naming the warehouse they resolve to, once it is checked usable."""
    location = options.location()
    _check_warehouse(location, must_exist=must_exist, writable=writable)
    return options.model_copy(update={"warehouse": location})


@contextlib.contextmanager
def _head_start() -> Iterator[TemporaryServer | None]:
    """Start, before the pipeline is imported, what a run waits for longest: Prefect's
    temporary server (unless a Prefect API is configured) and the validation process. Both
    end with the command, as does every process the run starts, however it ends."""
    from flows import workers
    from flows.lifecycle import guard_descendants
    from reviewhouse.server import TemporaryServer, api_configured

    guard_descendants()  # before anything starts a process
    server = None if api_configured() else TemporaryServer()
    workers.start_validation_process()
    try:
        yield server
    finally:
        workers.stop_validation_process()
        if server is not None:
            server.stop()


def _run_flow(server: TemporaryServer | None, flow: object, **parameters: object) -> RunRecord:
    """Run a flow; its record, or exit 1 in one line if it could not run."""
    from flows.runs import RunRecord

    _console_logs_without_tracebacks()
    try:
        with _prefect_api(server):
            state = flow(**parameters, return_state=True)  # type: ignore[operator]
        outcome = state.result(raise_on_failure=False)
    except Exception as error:  # the last line of defence: one line, no traceback
        raise fail(_one_line(error)) from None
    if not isinstance(outcome, RunRecord):
        raise fail(_one_line(outcome))
    return outcome


def _report(run: RunRecord) -> None:
    """The run in one line, with the whole command's time (the process's, when it is the
    command: `main`); exit 1 unless it completed."""
    took = time.monotonic() - _command_started if _command_started is not None else None
    typer.echo(redact(run.summary_line(seconds=took)))
    if run.report_path:
        typer.echo(f"validation report: {run.report_path}")
    if run.status != "completed":
        raise typer.Exit(1)


@contextlib.contextmanager
def _prefect_api(server: TemporaryServer | None) -> Iterator[None]:
    """The block talks to `server` once it is up, unless Prefect's settings name an API
    (a profile `api_configured` did not look at): then the server is not needed.

    The server gets `SERVER_STARTUP_TIMEOUT_S` unless the user set a timeout of their own.
    The command's runs send no heartbeats unless the user set a frequency: heartbeats let a
    lasting server tell a crashed run from a live one (a deployment's runs keep them), and
    Prefect's heartbeat thread, which sleeps a second at a time, holds the end of every flow
    run for up to a second."""
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        get_current_settings,
        temporary_settings,
    )

    settings = get_current_settings()
    updates: dict = {}
    if "heartbeat_frequency" not in settings.flows.model_fields_set:
        updates[PREFECT_FLOWS_HEARTBEAT_FREQUENCY] = None
    if server is None or settings.api.url:
        if server is not None:
            server.stop()
        with temporary_settings(updates=updates):
            yield
        return
    ephemeral = settings.server.ephemeral
    user_set = "startup_timeout_seconds" in ephemeral.model_fields_set
    server.wait_until_ready(
        ephemeral.startup_timeout_seconds if user_set else SERVER_STARTUP_TIMEOUT_S
    )
    updates[PREFECT_API_URL] = server.api_url
    os.environ["PREFECT_API_URL"] = server.api_url  # for the processes the run starts
    try:
        with temporary_settings(updates=updates):
            try:
                yield
            finally:
                _send_what_prefect_holds()
    finally:
        del os.environ["PREFECT_API_URL"]


def _send_what_prefect_holds(timeout_s: float = 10) -> None:
    """Send the logs and events Prefect still queues to the server, while it runs (Prefect
    sends them when the interpreter exits, after the server has gone)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for service in (APILogWorker, EventsWorker):
        service.drain_all(timeout=timeout_s)


class _WithoutTraceback(logging.Formatter):
    """A console formatter that leaves out a record's traceback, keeping its message."""

    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__()
        self._inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info or record.exc_text or record.stack_info:
            # a copy: the record goes on to Prefect's API handler, traceback and all
            record = logging.makeLogRecord(
                {**record.__dict__, "exc_info": None, "exc_text": None, "stack_info": None}
            )
        return self._inner.format(record)


def _console_logs_without_tracebacks() -> None:
    """A failed task or flow is logged once by Prefect as a line and a traceback: on the
    terminal the line is enough (the error is also this command's one-line error); the
    traceback still goes to the Prefect API, for the UI."""
    from prefect.logging.handlers import PrefectConsoleHandler

    loggers = [logging.getLogger(), *map(logging.getLogger, list(logging.root.manager.loggerDict))]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if isinstance(handler, PrefectConsoleHandler) and not isinstance(
                handler.formatter, _WithoutTraceback
            ):
                handler.setFormatter(_WithoutTraceback(handler.formatter))


@app.command()
def scorecard(
    warehouse: WarehouseOption = None,
    limit: Annotated[int, typer.Option(min=1, help="Movies to show.")] = 20,
) -> None:
    """Per-movie scorecard: reviews, mean normalised score, Tomatometer (computed from the
    reviews, and RT's own latest where a page stated it)."""
    _show(
        warehouse,
        "SELECT movie_title, reviews, scored_reviews, mean_score, tomatometer, rt_tomatometer, "
        "first_review_date, last_review_date FROM movie_scorecard "
        "ORDER BY reviews DESC, movie_title LIMIT $limit",
        {"limit": limit},
    )


@app.command()
def runs(
    warehouse: WarehouseOption = None,
    limit: Annotated[int, typer.Option(min=1, help="Runs to show.")] = 10,
) -> None:
    """Recent runs from etl_runs, newest first: start-up is the process starting (imports,
    Prefect's server), run_seconds the flow's own time (view run_timings has every stage)."""
    _show(
        warehouse,
        "SELECT run_id, status, pages_read, pages_failed, reviews_loaded, reviews_new, "
        "reviews_updated, reviews_quarantined, "
        "round(CAST(json_extract(stage_seconds, '$.startup') AS DOUBLE), 1) AS startup_seconds, "
        "round(epoch(ended_at - started_at), 1) AS run_seconds, "
        "error_summary FROM etl_runs ORDER BY started_at DESC LIMIT $limit",
        {"limit": limit},
    )


@app.command()
def quarantine(
    warehouse: WarehouseOption = None,
    limit: Annotated[int, typer.Option(min=1, help="Problems to show.")] = 20,
    run_id: Annotated[str | None, typer.Option(help="Only this run.")] = None,
) -> None:
    """Recent problems: the pages and rows that were quarantined, and why."""
    _show(
        warehouse,
        "SELECT run_id, stage, source_url, reason FROM quarantine "
        "WHERE $run_id IS NULL OR run_id = $run_id "
        "ORDER BY quarantined_at DESC LIMIT $limit",
        {"limit": limit, "run_id": run_id},
    )


@app.command()
def export(
    parquet: Annotated[
        Path, typer.Option("--parquet", help="Folder to write the marts to as Parquet.")
    ],
    warehouse: WarehouseOption = None,
) -> None:
    """Write the marts as Parquet (reviews partitioned by year of review date)."""
    from warehouse.db import WarehouseError
    from warehouse.export import export_parquet

    location = resolve_warehouse(warehouse)
    _check_warehouse(location, must_exist=True)
    try:
        counts = export_parquet(location, parquet)
    except (WarehouseError, OSError) as error:
        raise fail(_one_line(error)) from None
    typer.echo(
        f"exported {counts['reviews']} reviews and {len(counts) - 1} more tables to {parquet}"
    )


def _check_warehouse(location: str, must_exist: bool = False, writable: bool = False) -> None:
    """Exit at once, in one line, if `location` cannot be used: 2 when it cannot be a
    warehouse at all (a usage error), 1 when it cannot be used now (unwritable, not a
    DuckDB file, too new, locked)."""
    from warehouse.db import WarehouseError, WarehouseLocationError
    from warehouse.publish import check_warehouse

    try:
        version = check_warehouse(location, writable=writable)
    except WarehouseLocationError as error:
        raise fail(str(error), code=2) from None
    except WarehouseError as error:
        raise fail(str(error)) from None
    if must_exist and version == 0:
        raise fail(f"no warehouse at {location}; run `reviewhouse ingest` first", code=2)


def _show(warehouse: str | None, sql: str, params: dict) -> None:
    from warehouse.db import WarehouseError, WarehouseLocationError, is_local_file
    from warehouse.publish import reading

    location = resolve_warehouse(warehouse)
    if is_local_file(location) and not Path(location).exists():
        raise fail(f"no warehouse at {location}; run `reviewhouse ingest` first", code=2)
    try:
        with reading(location, lock_timeout_s=10) as con:
            typer.echo(con.sql(sql, params=params))
    except WarehouseLocationError as error:
        raise fail(str(error), code=2) from None
    except (WarehouseError, OSError) as error:
        raise fail(_one_line(error)) from None
    except Exception as error:  # a DuckDB error on an old or foreign file
        raise fail(_one_line(error)) from None


def _one_line(error: object) -> str:
    """The first line of an error; named by its type unless it is the system's (said in
    its words) or one of ours (warehouse, sources), whose messages are written to be read
    alone."""
    if isinstance(error, OSError) and error.strerror:  # "No space left on device: <file>"
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    text = str(error).strip().splitlines()
    if text and type(error).__module__.startswith(("warehouse.", "flows.", "reviewhouse.")):
        return text[0]
    name = type(error).__name__
    return f"{name}: {text[0]}" if text else name


_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")


def redact(text: str) -> str:
    """`text` with the password of every URL in it replaced by `***`."""
    if "://" not in text:
        return text
    from flows.fetch.urls import redact_url

    return _URL.sub(lambda url: redact_url(url[0]), text)


_command_started: float | None = None  # on the monotonic clock, when `main` runs


def main() -> None:
    """The `reviewhouse` command."""
    global _command_started
    from flows.lifecycle import process_age_s

    _command_started = time.monotonic() - (process_age_s() or 0.0)  # the interpreter's start
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as error:  # a bug of ours: still one line, never a traceback
        typer.echo(f"error: {redact(_one_line(error))}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
