"""Page facts: the rows of the `pages` table, built here and nowhere else.

A run records one row per page it read or checked (PAGES_SEEN_SCHEMA): what it was (URL,
hash, where its bytes are, size, version), what parsing made of it, and, for a web page,
what the server said. Each kind of page has its function below; `pages_seen` joins a run's
rows into the table's shape for the load.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import polars as pl

from transforms.schema import PAGE_FACTS_SCHEMA, PAGES_SEEN_SCHEMA, WEB_FACTS_SCHEMA

if TYPE_CHECKING:
    from flows.fetch import FetchOutcome
    from flows.pages import FileVersion
    from flows.stages.parse import PageOutcome

# What a web page's row adds to PAGE_FACTS_SCHEMA: what the server said, and the crawl.
WEB_COLUMNS = ("http_status", "content_type", "etag", "last_modified", "headers", "links",
               "start_url")  # fmt: skip


@dataclass(frozen=True, slots=True)
class KnownFile:
    """What the warehouse knows of a local file or dataset: its `pages` row, as loaded."""

    url: str
    content_hash: str
    body_path: str | None
    byte_size: int | None
    file_mtime_ns: int | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> KnownFile:
        """From a row of the `pages` table."""
        return cls(
            url=row["url"],
            content_hash=row["content_hash"],
            body_path=row["body_path"],
            byte_size=row["byte_size"],
            file_mtime_ns=row["file_mtime_ns"],
        )


def web_facts(outcomes: Iterable[FetchOutcome]) -> pl.DataFrame:
    """One row per page fetched without error (WEB_FACTS_SCHEMA), 304s included."""
    rows = [
        {
            "url": outcome.url,
            "content_hash": outcome.content_hash,
            "body_path": outcome.body_path,
            "http_status": outcome.status,
            "content_type": outcome.content_type,
            "etag": outcome.etag,
            "last_modified": outcome.last_modified,
            "headers": outcome.headers,
            "byte_size": outcome.byte_size,
            "fetched_at": outcome.fetched_at,
            "links": list(outcome.links),
            "start_url": outcome.seed,
        }
        for outcome in outcomes
    ]
    return pl.DataFrame(rows, schema=WEB_FACTS_SCHEMA)


def unchanged_web_facts(outcomes: Iterable[FetchOutcome]) -> pl.DataFrame:
    """The page facts of fetched pages left unparsed because their bytes are as loaded."""
    rows = [
        {
            "url": outcome.url,
            "content_hash": outcome.content_hash,
            "body_path": outcome.body_path,
            "source_kind": "web",
            "byte_size": outcome.byte_size,
            "fetched_at": outcome.fetched_at,
        }
        for outcome in outcomes
        if outcome.unchanged
    ]
    return pl.DataFrame(rows, schema=PAGE_FACTS_SCHEMA)


def unchanged_file_facts(rows: Sequence[tuple[KnownFile, str, FileVersion]]) -> pl.DataFrame:
    """The page facts of local files left alone, each `(as loaded, path, version now)`: the
    version loaded before, seen again at `path`."""
    facts = [
        {
            "url": known.url,
            "content_hash": known.content_hash,
            "body_path": path,
            "source_kind": "file",
            "byte_size": version.size,
            "file_mtime_ns": version.mtime_ns,
            "fetched_at": version.modified_at,
        }
        for known, path, version in rows
    ]
    return pl.DataFrame(facts, schema=PAGE_FACTS_SCHEMA)


def parsed_page_facts(outcomes: Iterable[PageOutcome]) -> pl.DataFrame:
    """One row per page the parse stage read without error; `reviews_parsed` is NULL for a
    page whose bytes were as loaded (not parsed again)."""
    rows = [
        {
            "url": outcome.page.url,
            "content_hash": outcome.content_hash,
            "body_path": outcome.page.body_path,
            "source_kind": "web" if outcome.page.compressed else "file",
            "byte_size": outcome.byte_size,
            "file_mtime_ns": outcome.page.file_mtime_ns,
            "layout": outcome.layout,
            "reviews_parsed": None if outcome.unchanged else outcome.reviews,
            "fetched_at": outcome.page.fetched_at,
        }
        for outcome in outcomes
        if outcome.content_hash is not None
    ]
    return pl.DataFrame(rows, schema=PAGE_FACTS_SCHEMA)


def dataset_facts(
    *,
    url: str,
    content_hash: str,
    path: str,
    byte_size: int,
    mtime_ns: int,
    layout: str,
    fetched_at: datetime,
    reviews_parsed: int | None,
) -> pl.DataFrame:
    """The one row of an imported dataset (a CSV file); `reviews_parsed` None: unchanged."""
    row = {
        "url": url,
        "content_hash": content_hash,
        "body_path": path,
        "source_kind": "dataset",
        "byte_size": byte_size,
        "file_mtime_ns": mtime_ns,
        "layout": layout,
        "reviews_parsed": reviews_parsed,
        "fetched_at": fetched_at,
    }
    return pl.DataFrame([row], schema=PAGE_FACTS_SCHEMA)


def pages_seen(
    facts_paths: Sequence[str], web_facts_paths: Sequence[str], seen_at: datetime
) -> pl.DataFrame:
    """One row per page read or checked this run, in the shape of the `pages` table: the page
    facts (the last row of a URL read twice wins), with what the server said of web pages.

    >>> pages_seen([], [], datetime(2026, 1, 1)).columns == PAGES_SEEN_SCHEMA.names()
    True
    """
    facts = _read(facts_paths, PAGE_FACTS_SCHEMA)
    web = _read(web_facts_paths, WEB_FACTS_SCHEMA).select("url", *WEB_COLUMNS)
    return (
        facts.unique("url", keep="last", maintain_order=True)
        .join(web.unique("url", keep="last"), on="url", how="left")
        .with_columns(pl.lit(seen_at).cast(pl.Datetime("us", "UTC")).alias("last_seen_at"))
        .select(PAGES_SEEN_SCHEMA.names())
        .cast(dict(PAGES_SEEN_SCHEMA))
    )


def _read(paths: Sequence[str], schema: pl.Schema) -> pl.DataFrame:
    return pl.read_parquet(list(paths)).cast(dict(schema)) if paths else pl.DataFrame(schema=schema)
