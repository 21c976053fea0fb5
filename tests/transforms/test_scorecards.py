"""RT's own scorecards -> typed score snapshots, checked against hand-computed values."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers.records import RAW_SCHEMA, RAW_SCORECARD_SCHEMA
from transforms.normalize import normalize_reviews
from transforms.schema import SCORE_SNAPSHOTS_SCHEMA
from transforms.scorecards import normalize_scorecards

FETCHED = datetime(2026, 4, 10, 8, tzinfo=UTC)
PAGE = "https://www.rottentomatoes.com/m/the_matrix"
MATRIX = {
    "source_url": PAGE,
    "fetched_at": FETCHED,
    "movie_title": "The Matrix",
    "movie_slug": "the_matrix",
    "movie_year": 1999,
    "tomatometer": "83",
    "tomatometer_sentiment": "POSITIVE",
    "certified_fresh": "true",
    "critic_review_count": "1,211",
    "critic_liked": "1,005",
    "critic_not_liked": "206",
    "critic_average_rating": "7.70",
    "top_critics_tomatometer": "88",
    "popcornmeter": "85",
    "popcornmeter_certified": "TRUE",
    "audience_rating_count": " 250,000+   Ratings ",
}


def raw(*records: dict) -> pl.DataFrame:
    return pl.DataFrame(list(records), schema=RAW_SCORECARD_SCHEMA)


def test_a_scorecard_becomes_one_typed_snapshot():
    snapshots = normalize_scorecards(raw(MATRIX))
    assert snapshots.schema == SCORE_SNAPSHOTS_SCHEMA
    assert snapshots.rows() == [
        (
            hashlib.md5(b"slug:the_matrix").hexdigest()[:16],  # a802556ae8a4a3b0
            "slug:the_matrix",
            "the_matrix",
            "The Matrix",
            "stated",
            1999,
            FETCHED,
            PAGE,
            83,
            "positive",
            True,
            1211,
            1005,
            206,
            7.7,
            88,
            85,
            True,
            "250,000+ Ratings",
        )
    ]


def test_a_snapshot_names_the_movie_of_the_reviews_on_its_page():
    review = {
        "source_url": PAGE,
        "source_layout": "rt_review_card",
        "fetched_at": FETCHED,
        "movie_title": "The Matrix",
        "movie_slug": "the_matrix",
        "movie_year": 1999,
        "critic_name": "Joe Morgenstern",
        "date_raw": "3d",
        "quote_raw": "Though The Matrix ultimately overdoses on gloom-and-doom grunge.",
    }
    reviews = normalize_reviews(pl.DataFrame([review], schema=RAW_SCHEMA))
    # no slug stated: read off the URL, as for reviews
    snapshots = normalize_scorecards(raw({**MATRIX, "movie_slug": None}))
    assert snapshots["movie_id"].to_list() == reviews["movie_id"].to_list()


def test_values_that_are_not_numbers_or_flags_are_null_never_guessed():
    odd = {
        **MATRIX,
        "tomatometer": "101",  # not a percentage
        "tomatometer_sentiment": "  ",
        "certified_fresh": "yes",
        "critic_review_count": "1,23",  # not a thousands separator
        "critic_liked": "-5",
        "critic_not_liked": "12.5",
        "critic_average_rating": "7.7/10",
        "top_critics_tomatometer": "N/A",
        "popcornmeter": " 93% ",
        "popcornmeter_certified": "0",
        "audience_rating_count": "12,345",
    }
    row = normalize_scorecards(raw(odd)).row(0, named=True)
    assert [row[name] for name in list(SCORE_SNAPSHOTS_SCHEMA)[8:]] == [
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        93,
        False,
        "12345",  # a count: its digits
    ]


def test_counts_too_large_for_the_column_are_null():
    row = normalize_scorecards(raw({**MATRIX, "critic_review_count": "99,999,999,999"}))
    assert row["critic_review_count"].to_list() == [None]


def test_one_snapshot_per_movie_capture_and_page():
    later = {**MATRIX, "fetched_at": datetime(2026, 4, 11, 8, tzinfo=UTC), "tomatometer": "84"}
    movie_page = {**MATRIX, "source_url": f"{PAGE}/reviews"}
    snapshots = normalize_scorecards(raw(MATRIX, MATRIX, later, movie_page))
    assert snapshots.select("captured_at", "source_url", "tomatometer").rows() == [
        (FETCHED, PAGE, 83),
        (datetime(2026, 4, 11, 8, tzinfo=UTC), PAGE, 84),
        (FETCHED, f"{PAGE}/reviews", 83),
    ]


def test_no_scorecards_is_an_empty_frame_in_the_schema():
    assert normalize_scorecards(raw()).schema == SCORE_SNAPSHOTS_SCHEMA


SCORE_TEXT = st.one_of(
    st.none(),
    st.integers(min_value=-5, max_value=2_000_000).map(str),
    st.integers(min_value=0, max_value=2_000_000).map("{:,}".format),
    st.text(alphabet="0123456789,.%+ -NA/tTrueFalse", max_size=10),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(SCORE_TEXT, SCORE_TEXT, SCORE_TEXT), min_size=1, max_size=10))
def test_percentages_are_in_range_or_null(values):
    records = [
        {
            **MATRIX,
            "source_url": f"{PAGE}?n={n}",
            "tomatometer": tomatometer,
            "top_critics_tomatometer": top,
            "popcornmeter": popcorn,
        }
        for n, (tomatometer, top, popcorn) in enumerate(values)
    ]
    snapshots = normalize_scorecards(raw(*records))
    for name in ("tomatometer", "top_critics_tomatometer", "popcornmeter"):
        assert snapshots[name].drop_nulls().is_between(0, 100).all()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            SCORE_TEXT, SCORE_TEXT, st.sampled_from(["true", "False", "x", None]), SCORE_TEXT
        ),
        min_size=1,
        max_size=10,
    )
)
def test_normalising_clean_values_again_changes_nothing(values):
    records = [
        {
            **MATRIX,
            "source_url": f"{PAGE}?n={n}",
            "tomatometer": score,
            "critic_review_count": count,
            "certified_fresh": certified,
            "critic_average_rating": average,
            "audience_rating_count": count,
        }
        for n, (score, count, certified, average) in enumerate(values)
    ]
    once = normalize_scorecards(raw(*records))
    as_text = once.select(
        "source_url",
        pl.col("captured_at").alias("fetched_at"),
        "movie_title",
        "movie_slug",
        "movie_year",
        *(pl.col(name).cast(pl.String) for name in list(SCORE_SNAPSHOTS_SCHEMA)[8:]),
    )
    again = normalize_scorecards(pl.concat([raw(), as_text], how="diagonal_relaxed"))
    assert again.equals(once)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(SCORE_TEXT, SCORE_TEXT), min_size=1, max_size=10))
def test_snapshots_survive_a_duckdb_round_trip(tmp_path: Path, values):
    snapshots = normalize_scorecards(
        raw(
            *(
                {**MATRIX, "source_url": f"{PAGE}?n={n}", "tomatometer": a, "critic_liked": b}
                for n, (a, b) in enumerate(values)
            )
        )
    )
    with duckdb.connect(str(tmp_path / "round_trip.duckdb")) as con:
        con.execute("CREATE OR REPLACE TABLE stored AS SELECT * FROM snapshots")
        back = con.sql("SELECT * FROM stored").pl()
    # DuckDB names the zone Etc/UTC
    assert back.with_columns(pl.col("captured_at").dt.convert_time_zone("UTC")).equals(snapshots)
