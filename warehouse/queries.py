"""Read-only questions the pipeline asks the warehouse before it loads."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from warehouse.db import check_version, is_local_file, read_sql
from warehouse.publish import reading


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
