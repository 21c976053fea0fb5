"""RT's own numbers over time: `movie_score_snapshots`, `tomatometer_history` and the rt_*
columns of `movie_scorecard`, against values worked out by hand.

| movie  | captured (UTC)    | tomatometer | reviews | certified | note                     |
|--------|-------------------|-------------|---------|-----------|--------------------------|
| alpha  | 2026-03-01 09:00  | 50          | 10      | no        | overtaken the same day   |
| alpha  | 2026-03-01 21:30  | 55          | 11      | no        | day 1's last             |
| alpha  | 2026-03-02 12:00  | 62          | 13      | no        | +7 on day 1              |
| alpha  | 2026-03-04 06:00  | 58          | 15      | yes       | -4 on day 2 (no day 3)   |
| gamma  | 2026-03-02 03:30  | 80          | 5       | no        | 2026-03-01 22:30 in NYC  |
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import polars as pl

from tests.conftest import SEED_PAGE
from tests.helpers import batch_of, reviews_from, table
from tests.warehouse.snapshots import capture, snapshots
from warehouse.load import LoadBatch, LoadCounts, RunRow, load_run
from warehouse.publish import reading, writing


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


CAPTURES = snapshots(
    capture("alpha", at(1, 9), 50, title="Alpha", critic_review_count=10, certified_fresh=False),
    capture("alpha", at(1, 21, 30), 55, title="Alpha", critic_review_count=11),
    capture("alpha", at(2, 12), 62, title="Alpha", critic_review_count=13),
    capture("alpha", at(4, 6), 58, title="Alpha", critic_review_count=15, certified_fresh=True),
    capture("gamma", at(2, 3, 30), 80, title="Gamma", critic_review_count=5),
)


def load_snapshots(warehouse_path, run_id: str, frame: pl.DataFrame, reviews=None) -> LoadCounts:
    reviews = reviews_from(SEED_PAGE) if reviews is None else reviews
    batch = replace(batch_of(reviews), score_snapshots=frame)
    with writing(warehouse_path) as con:
        return load_run(con, batch, RunRow(run_id, datetime.now(UTC)))


def stored(warehouse_path) -> list[tuple]:
    with reading(warehouse_path) as con:
        return table(con, "SELECT * FROM movie_score_snapshots ORDER BY movie_id, captured_at")


def test_the_same_captures_loaded_again_add_nothing(warehouse_path, tmp_path):
    assert load_snapshots(warehouse_path, "run-1", CAPTURES).snapshots_new == 5
    first = stored(warehouse_path)
    assert len(first) == 5
    assert {row[2] for row in first} == {"run-1"}  # run_id

    # the same stored pages re-read, as Parquet files this time, and one capture twice
    paths = [str(tmp_path / "a.parquet"), str(tmp_path / "b.parquet")]
    CAPTURES.write_parquet(paths[0])
    CAPTURES.head(1).write_parquet(paths[1])
    batch = replace(batch_of(reviews_from(SEED_PAGE)), score_snapshots=paths)
    with writing(warehouse_path) as con:
        counts = load_run(con, batch, RunRow("run-2", datetime.now(UTC)))
    assert counts.snapshots_new == 0
    assert stored(warehouse_path) == first

    # a new capture of the same page is a new row; the same capture twice in a batch is one
    later = capture("alpha", at(5, 6), 60, title="Alpha")
    assert load_snapshots(warehouse_path, "run-3", snapshots(later, later)).snapshots_new == 1
    assert len(stored(warehouse_path)) == 6


def test_a_capture_from_another_page_at_the_same_time_is_another_row(warehouse_path):
    movie_page = capture("alpha", at(1, 9), 50)
    reviews_page = {**movie_page, "source_url": "https://www.rottentomatoes.com/m/alpha/reviews"}
    assert load_snapshots(warehouse_path, "r", snapshots(movie_page, reviews_page)) == LoadCounts(
        new=20, snapshots_new=2
    )


def test_tomatometer_history_keeps_each_days_last_capture_and_its_change(warehouse_path):
    load_snapshots(warehouse_path, "run-1", CAPTURES)
    query = (
        "SELECT movie_id, movie_title, day, captured_at, tomatometer, tomatometer_change, "
        "critic_review_count, certified_fresh FROM tomatometer_history ORDER BY movie_id, day"
    )
    expected = [
        ("alpha", "Alpha", date(2026, 3, 1), at(1, 21, 30), 55, None, 11, None),
        ("alpha", "Alpha", date(2026, 3, 2), at(2, 12), 62, 7, 13, None),
        ("alpha", "Alpha", date(2026, 3, 4), at(4, 6), 58, -4, 15, True),
        ("gamma", "Gamma", date(2026, 3, 2), at(2, 3, 30), 80, None, 5, None),
    ]
    with reading(warehouse_path) as con:
        assert table(con, query) == expected
        # days are UTC days whatever the reader's time zone (gamma was captured on the
        # evening of March 1 in New York)
        con.execute("SET TimeZone = 'America/New_York'")
        assert [row[:3] for row in table(con, query)] == [row[:3] for row in expected]


def test_movie_scorecard_shows_rts_latest_numbers_beside_the_computed_ones(warehouse_path):
    # Backstage's 20 reviews, 14 marked fresh and 6 rotten: 70.0 computed
    reviews = reviews_from(SEED_PAGE).with_columns((pl.int_range(pl.len()) < 14).alias("is_fresh"))
    backstage = reviews.get_column("movie_id")[0]
    rt = snapshots(
        capture("x", at(1, 9), 40, movie_id=backstage, critic_review_count=30),
        capture(
            "x", at(3, 9), 44, movie_id=backstage, critic_review_count=31, certified_fresh=False
        ),
    )
    load_snapshots(warehouse_path, "run-1", pl.concat([rt, CAPTURES]), reviews)
    with reading(warehouse_path) as con:
        rows = table(
            con,
            "SELECT movie_title, reviews, tomatometer, rt_tomatometer, rt_review_count, "
            "rt_certified_fresh, rt_captured_at, tomatometer_gap "
            "FROM movie_scorecard ORDER BY movie_title",
        )
    assert rows == [
        ("Alpha", 0, None, 58, 15, True, at(4, 6), None),  # no reviews: no gap
        ("Backstage", 20, 70.0, 44, 31, False, at(3, 9), 26.0),
        ("Gamma", 0, None, 80, 5, None, at(2, 3, 30), None),
    ]


def test_a_movie_with_a_scorecard_and_no_reviews_is_a_movie(warehouse_path):
    load_snapshots(warehouse_path, "run-1", CAPTURES)
    # a later page states alpha's year; a scorecard whose page named only the slug does not
    # take the stated title away
    later = [
        capture("alpha", at(6, 9), 57, title="Alpha", movie_year=2026),
        capture("gamma", at(6, 9), 81),
    ]
    load_snapshots(warehouse_path, "run-2", snapshots(*later))
    with reading(warehouse_path) as con:
        movies = table(
            con,
            "SELECT movie_id, movie_key, movie_slug, movie_title, movie_title_source, "
            "movie_year, first_run_id, last_run_id FROM dim_movies "
            "WHERE movie_id IN ('alpha', 'gamma') ORDER BY movie_id",
        )
    assert movies == [
        ("alpha", "alpha", "alpha", "Alpha", "stated", 2026, "run-1", "run-2"),
        ("gamma", "gamma", "gamma", "Gamma", "stated", None, "run-1", "run-1"),
    ]


def test_a_scorecard_states_the_title_a_review_page_only_had_as_a_slug(warehouse_path):
    reviews = reviews_from(SEED_PAGE).with_columns(
        pl.lit("backstage_2005").alias("movie_slug"),
        pl.lit("Backstage 2005").alias("movie_title"),
        pl.lit("slug").alias("movie_title_source"),
    )
    movie_id = reviews.get_column("movie_id")[0]
    stated = capture("backstage_2005", at(1, 9), 70, title="Backstage", movie_id=movie_id)
    stated["movie_key"] = reviews.get_column("movie_key")[0]
    load_snapshots(warehouse_path, "run-1", snapshots(stated), reviews)
    with reading(warehouse_path) as con:
        assert table(con, "SELECT movie_title, movie_title_source, movie_slug FROM dim_movies") == [
            ("Backstage", "stated", "backstage_2005")
        ]


def test_a_batch_without_snapshots_loads_as_before(warehouse_path):
    batch = batch_of(reviews_from(SEED_PAGE))
    assert batch.score_snapshots == ()
    assert isinstance(batch, LoadBatch)
    with writing(warehouse_path) as con:
        counts = load_run(con, batch, RunRow("r", datetime.now(UTC) - timedelta(hours=1)))
    assert counts == LoadCounts(new=20)
    assert stored(warehouse_path) == []
