"""Read-only questions the pipeline asks the warehouse before it loads."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from warehouse.db import check_version, is_local_file, read_sql
from warehouse.publish import reading

PAGES_VERSION = 3  # the migration that created `pages`


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
        if check_version(con) < PAGES_VERSION:
            return None
        return con.sql(read_sql("sql/known_pages.sql")).pl()


def stored_pages(location: str, since: date | None, layout: str | None) -> pl.DataFrame:
    """Pages in the raw store to re-parse (`sql/stored_pages.sql`)."""
    with reading(location) as con:
        if check_version(con) < PAGES_VERSION:
            return pl.DataFrame()
        return con.sql(
            read_sql("sql/stored_pages.sql"), params={"since": since, "layout": layout}
        ).pl()
