"""The `pages` table: one row per version of each page, moved on as runs see it again."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import polars as pl

from tests.conftest import SEED_PAGE
from tests.helpers import batch_of, reviews_from, table
from transforms.schema import PAGES_SEEN_SCHEMA
from warehouse.load import RunRow, load_run
from warehouse.publish import reading, writing

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def seen(url: str, content_hash: str, at: datetime, **facts) -> dict:
    return {
        "url": url,
        "content_hash": content_hash,
        "body_path": f"/store/{content_hash}.zst",
        "source_kind": "web",
        "byte_size": 100,
        "fetched_at": at,
        "last_seen_at": at,
        "http_status": 200,
        "headers": "{}",
        **facts,
    }


def load_pages(warehouse_path, run_id: str, *rows: dict) -> None:
    batch = replace(
        batch_of(reviews_from(SEED_PAGE)), pages_seen=pl.DataFrame(rows, schema=PAGES_SEEN_SCHEMA)
    )
    with writing(warehouse_path) as con:
        load_run(con, batch, RunRow(run_id, datetime.now(UTC)))


def pages(warehouse_path) -> list[tuple]:
    with reading(warehouse_path) as con:
        return table(
            con,
            "SELECT url, content_hash, etag, links, last_seen_at, first_run_id, last_run_id "
            "FROM pages ORDER BY url, content_hash",
        )


def test_a_page_seen_again_moves_on_and_keeps_what_it_knew(warehouse_path):
    first = seen("https://x/a", "h1", T0, etag='"v1"', links=["https://x/b"])
    other = seen("https://x/c", "h3", T0, etag='"c"', links=None)
    load_pages(warehouse_path, "run-1", first, other)
    later = T0 + timedelta(days=1)
    # a 304 on /a: no new etag stated; /c now says it links to /d; /a has a new version too
    load_pages(
        warehouse_path,
        "run-2",
        seen("https://x/a", "h1", later, etag=None, links=None),
        seen("https://x/c", "h3", later, etag='"c"', links=["https://x/d"]),
        seen("https://x/a", "h2", later, etag='"v2"', links=[]),
    )
    assert pages(warehouse_path) == [
        ("https://x/a", "h1", '"v1"', ["https://x/b"], later, "run-1", "run-2"),
        ("https://x/a", "h2", '"v2"', [], later, "run-2", "run-2"),
        ("https://x/c", "h3", '"c"', ["https://x/d"], later, "run-1", "run-2"),
    ]
