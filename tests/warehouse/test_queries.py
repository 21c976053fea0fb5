"""What the pipeline asks the warehouse before it loads, on warehouses of every age: RT's
review ids (where a nightly run stops paging) and the URL each page's crawl started from."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import polars as pl

from tests.conftest import SEED_PAGE
from tests.helpers import batch_of, reviews_from, table
from transforms.schema import PAGES_SEEN_SCHEMA
from warehouse.db import connect, migrations, read_sql, schema_version
from warehouse.load import LoadCounts, RunRow, load_run
from warehouse.publish import reading, writing
from warehouse.queries import known_pages, known_review_ids, stored_pages

T0 = datetime(2026, 3, 1, tzinfo=UTC)
API = "https://www.rottentomatoes.com/napi/rtcf/v1/movies/abc/reviews?pageCount=20"
START = "https://www.rottentomatoes.com/m/backstage"


def page(url: str, content_hash: str, **facts) -> dict:
    return {
        "url": url,
        "content_hash": content_hash,
        "body_path": f"/store/{content_hash}.zst",
        "source_kind": "web",
        "fetched_at": T0,
        "last_seen_at": T0,
        "layout": "rt_api",
        **facts,
    }


def pages_frame(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=PAGES_SEEN_SCHEMA)


def load(warehouse_path, run_id: str, reviews: pl.DataFrame, pages=None) -> LoadCounts:
    batch = replace(batch_of(reviews), pages_seen=pages)
    with writing(warehouse_path) as con:
        return load_run(con, batch, RunRow(run_id, datetime.now(UTC)))


def with_review_ids(reviews: pl.DataFrame, count: int) -> pl.DataFrame:
    """The first `count` reviews as read from the API: with RT's review id."""
    ids = pl.when(pl.int_range(pl.len()) < count).then(pl.format("rt-{}", pl.int_range(pl.len())))
    return reviews.with_columns(ids.otherwise(None).cast(pl.String).alias("source_review_id"))


def test_known_review_ids_are_every_id_the_warehouse_holds(warehouse_path):
    assert known_review_ids(str(warehouse_path)) == frozenset()  # no warehouse yet
    assert not warehouse_path.exists()  # and asking did not create one
    reviews = with_review_ids(reviews_from(SEED_PAGE), 3)
    load(warehouse_path, "run-1", reviews)
    assert known_review_ids(str(warehouse_path)) == {"rt-0", "rt-1", "rt-2"}


def test_a_review_read_from_a_card_then_from_the_api_gains_its_id_and_keeps_it(warehouse_path):
    cards = reviews_from(SEED_PAGE)  # no review ids, as on a review card
    assert load(warehouse_path, "run-1", cards) == LoadCounts(new=20)
    assert load(warehouse_path, "run-2", with_review_ids(cards, 2)) == LoadCounts(
        updated=2, unchanged=18
    )
    assert load(warehouse_path, "run-3", cards) == LoadCounts(unchanged=20)  # id kept
    with reading(warehouse_path) as con:
        assert table(
            con,
            "SELECT source_review_id, last_run_id FROM fct_reviews "
            "WHERE source_review_id IS NOT NULL ORDER BY 1",
        ) == [("rt-0", "run-2"), ("rt-1", "run-2")]
        assert table(con, "SELECT count(source_review_id) FROM stg_reviews") == [(2,)]
        assert table(con, "SELECT count(source_review_id) FROM reviews") == [(2,)]


def test_pages_remember_where_their_crawl_started(warehouse_path):
    reviews = reviews_from(SEED_PAGE)
    load(warehouse_path, "run-1", reviews, pages_frame(page(API, "h1", start_url=START)))
    # seen again by a run that does not say (a 304 from a run without the column)
    load(warehouse_path, "run-2", reviews, pages_frame(page(API, "h1")).drop("start_url"))
    known = known_pages(str(warehouse_path))
    assert known is not None
    assert known.select("url", "start_url").rows() == [(API, START)]
    assert stored_pages(str(warehouse_path), None, None).select("url", "start_url").rows() == [
        (API, START)
    ]


def warehouse_at(path, version: int) -> None:
    """A warehouse as a reviewhouse whose newest migration was `version` left it."""
    con = connect(path)
    con.execute(read_sql("sql/schema_migrations.sql"))
    for migration in migrations():
        if migration.version <= version:
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($v, $n)",
                {"v": migration.version, "n": migration.name},
            )
    con.execute(
        "INSERT INTO pages (url, content_hash, body_path, source_kind, fetched_at, "
        "last_seen_at, first_run_id, last_run_id, layout) VALUES "
        "('https://x/a', 'h0', '/store/h0.zst', 'web', $t, $t, 'old', 'old', 'rt_json_feed')",
        {"t": T0},
    )
    con.execute(
        "INSERT INTO fct_reviews (review_id, movie_id, score_status, first_run_id, "
        "last_run_id, loaded_at, updated_at) VALUES ('r0', 'm0', 'empty', 'old', 'old', $t, $t)",
        {"t": T0},
    )
    con.close()


def test_a_warehouse_from_before_migration_7_is_read_then_upgraded(warehouse_path):
    warehouse_path.parent.mkdir(parents=True)
    warehouse_at(warehouse_path, 6)
    location = str(warehouse_path)
    # asked before the run migrates it: read-only, the new columns as NULL
    assert known_review_ids(location) == frozenset()
    known = known_pages(location)
    assert known is not None
    assert known.select("url", "start_url").rows() == [("https://x/a", None)]
    assert stored_pages(location, None, None).get_column("start_url").to_list() == [None]
    with reading(warehouse_path) as con:
        assert schema_version(con) == 6  # reading changed nothing

    reviews = with_review_ids(reviews_from(SEED_PAGE), 1)
    load(warehouse_path, "run-1", reviews, pages_frame(page(API, "h1", start_url=START)))
    with reading(warehouse_path) as con:
        assert schema_version(con) == 7
        assert table(con, "SELECT url, start_url FROM pages ORDER BY url") == [
            (API, START),
            ("https://x/a", None),
        ]
        assert table(
            con, "SELECT review_id, source_review_id FROM fct_reviews WHERE review_id = 'r0'"
        ) == [("r0", None)]
        assert table(con, "SELECT count(*) FROM movie_score_snapshots") == [(0,)]
    assert known_review_ids(location) == {"rt-0"}
