"""Read-only questions the pipeline asks the warehouse before it loads."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from warehouse.db import check_version, is_local_file, read_sql, scalar
from warehouse.publish import reading

PAGES_VERSION = 3  # the migration that created `pages`
RT_TODAY_VERSION = 7  # the migration that added `source_review_id` and `pages.start_url`


def reviews_from_pages(location: str, urls: list[str]) -> pl.DataFrame | None:
    """Per movie, the reviews already loaded from `urls`; None for a new warehouse."""
    if is_local_file(location) and not Path(location).exists():
        return None
    with reading(location) as con:
        if check_version(con) == 0:
            return None
        batch_pages = pl.DataFrame({"url": urls}, schema={"url": pl.String}).to_arrow()
        con.register("batch_pages", batch_pages)
        return con.sql(read_sql("sql/reviews_from_pages.sql")).pl()


def known_pages(location: str) -> pl.DataFrame | None:
    """The latest stored version of every page (`sql/known_pages.sql`); None for a new
    warehouse."""
    if is_local_file(location) and not Path(location).exists():
        return None
    with reading(location) as con:
        version = check_version(con)
        if version < PAGES_VERSION:
            return None
        _pages_as_of_now(con, version)
        return con.sql(read_sql("sql/known_pages.sql")).pl()


def stored_pages(location: str, since: date | None, layout: str | None) -> pl.DataFrame:
    """Pages in the raw store to re-parse (`sql/stored_pages.sql`)."""
    with reading(location) as con:
        version = check_version(con)
        if version < PAGES_VERSION:
            return pl.DataFrame()
        _pages_as_of_now(con, version)
        return con.sql(
            read_sql("sql/stored_pages.sql"), params={"since": since, "layout": layout}
        ).pl()


def known_review_ids(location: str) -> frozenset[str]:
    """Every review id the source gave a review this warehouse holds
    (`fct_reviews.source_review_id`): where an incremental run stops paging. Empty for a
    warehouse that does not exist yet or predates the column."""
    if is_local_file(location) and not Path(location).exists():
        return frozenset()
    with reading(location) as con:
        if check_version(con) < RT_TODAY_VERSION:
            return frozenset()
        rows = con.execute(
            "SELECT DISTINCT source_review_id FROM fct_reviews WHERE source_review_id IS NOT NULL"
        ).fetchall()
    return frozenset(row[0] for row in rows)


def _pages_as_of_now(con: duckdb.DuckDBPyConnection, version: int) -> None:
    """Let the `pages` queries run on a warehouse the run has not migrated yet (they are
    asked before it loads): columns added since, as NULL, in a temporary view that hides the
    table for this read-only connection only."""
    if version >= RT_TODAY_VERSION:
        return
    database = str(scalar(con, "SELECT current_database()")).replace('"', '""')
    con.execute(
        "CREATE TEMP VIEW pages AS "
        f'SELECT *, NULL::VARCHAR AS start_url FROM "{database}".main.pages'
    )
