"""Each analytics view against values computed by hand from eight reviews.

| # | movie | critic | date       | score | normalised | fresh | top |
|---|-------|--------|------------|-------|------------|-------|-----|
| 1 | Alpha | c1     | 2020-01-05 | 3/4   | 0.75       | yes   | yes |
| 2 | Alpha | c2     | 2020-01-20 | 2/4   | 0.50       | no    |     |
| 3 | Alpha | c3     | 2020-02-03 | B     | 0.75       | yes   |     |
| 4 | Alpha | c4     | 2020-02-10 | 1/4   | 0.25       | no    | yes |
| 5 | Alpha | c5     | 2020-02-11 |       |            | yes   |     |
| 6 | Alpha | c6     | 2020-03-01 | 3/4   | 0.75       |       |     |
| 7 | Beta  | c1     | 2020-01-07 | 5/5   | 1.00       | yes   | yes |
| 8 | Beta  | c2     | 2020-03-15 | C     | 0.50       |       |     |

Movie means: Alpha 3.0 / 5 = 0.6, Beta 1.5 / 2 = 0.75.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from parsers.records import RAW_SCHEMA
from tests.helpers import batch_of
from transforms.normalize import normalize_reviews
from warehouse.load import RunRow, load_run
from warehouse.publish import reading, writing

ROWS = [
    ("Alpha", "c1", "2020-01-05", "3/4", "fresh", True),
    ("Alpha", "c2", "2020-01-20", "2/4", "rotten", False),
    ("Alpha", "c3", "2020-02-03", "B", "fresh", False),
    ("Alpha", "c4", "2020-02-10", "1/4", "rotten", True),
    ("Alpha", "c5", "2020-02-11", None, "fresh", False),
    ("Alpha", "c6", "2020-03-01", "3/4", None, False),
    ("Beta", "c1", "2020-01-07", "5/5", "fresh", True),
    ("Beta", "c2", "2020-03-15", "C", None, False),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    raw = pl.DataFrame(
        [
            {
                "source_url": f"file:///{movie}.html",
                "source_layout": "test",
                "fetched_at": datetime(2020, 6, 1, tzinfo=UTC),
                "movie_title": movie,
                "movie_slug": movie.lower(),
                "critic_name": critic,
                "publication": f"{critic} weekly",
                "date_raw": day,
                "score_raw": score,
                "sentiment": sentiment,
                "is_top_critic": top,
                "quote_raw": f"{critic} on {movie}.",
            }
            for movie, critic, day, score, sentiment, top in ROWS
        ],
        schema=RAW_SCHEMA,
    )
    path = tmp_path_factory.mktemp("views") / "views.duckdb"
    with writing(path) as con:
        load_run(con, batch_of(normalize_reviews(raw)), RunRow("r", datetime.now(UTC)))
    return path


def rows(path, sql: str) -> list[tuple]:
    with reading(path) as con:
        return con.execute(sql).fetchall()


def test_movie_scorecard(warehouse):
    assert rows(
        warehouse,
        "SELECT movie_title, reviews, scored_reviews, mean_score, flagged_reviews, tomatometer, "
        "top_critic_pct_fresh, first_review_date, last_review_date "
        "FROM movie_scorecard ORDER BY movie_title",
    ) == [
        ("Alpha", 6, 5, 0.6, 5, 60.0, 50.0, date(2020, 1, 5), date(2020, 3, 1)),
        # 1 flagged review: below the five a Tomatometer needs
        ("Beta", 2, 2, 0.75, 1, None, 100.0, date(2020, 1, 7), date(2020, 3, 15)),
    ]


def test_critic_profile(warehouse):
    profiles = rows(
        warehouse,
        "SELECT critic_name, reviews, scored_reviews, mean_score, share_fresh, leniency, movies "
        "FROM critic_profile WHERE critic_name IN ('c1', 'c2', 'c5') ORDER BY critic_name",
    )
    assert profiles == [
        ("c1", 2, 2, 0.875, 1.0, 0.2, 2),  # ((0.75 - 0.6) + (1.0 - 0.75)) / 2
        ("c2", 2, 2, 0.5, 0.0, -0.175, 2),  # ((0.5 - 0.6) + (0.5 - 0.75)) / 2
        ("c5", 1, 0, None, 1.0, None, 1),
    ]


def test_monthly_reviews(warehouse):
    assert rows(warehouse, "SELECT * FROM monthly_reviews ORDER BY month") == [
        (date(2020, 1, 1), 3, 3, 0.75, 0.667, 2, 2),
        (date(2020, 2, 1), 3, 2, 0.5, 0.667, 1, 3),
        (date(2020, 3, 1), 2, 2, 0.625, None, 2, 2),
    ]


def test_score_format_mix(warehouse):
    mix = rows(warehouse, "SELECT * FROM score_format_mix ORDER BY reviews DESC")
    assert mix[0] == ("fraction", "ok", 5, 0.625, "3/4", 0.65)
    assert mix[1][:4] == ("letter", "ok", 2, 0.25)
    assert mix[1][5] == 0.625
    assert mix[2] == ("(none)", "empty", 1, 0.125, None, None)
