"""Importing review datasets (CSV) through the real flow."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import FIXTURES
from tests.flows.test_ingest import ingest
from tests.helpers import table
from warehouse.publish import reading

pytestmark = pytest.mark.usefixtures("prefect_harness")
KAGGLE = FIXTURES / "kaggle_rt_critic_reviews_first1MiB.csv"


def test_kaggle_slice_every_row_is_loaded_or_quarantined(warehouse_path):
    run = ingest([KAGGLE], warehouse_path)
    assert run.status == "completed"
    with reading(warehouse_path) as con:
        loaded = table(con, "SELECT count(*) FROM fct_reviews")[0][0]
        rows_quarantined = table(
            con, "SELECT count(*) FROM quarantine WHERE review_id IS NOT NULL"
        )[0][0]
        (tail,) = table(con, "SELECT stage, reason FROM quarantine WHERE review_id IS NULL")
        movies = table(con, "SELECT count(*) FROM dim_movies")[0][0]
    assert loaded + rows_quarantined == 5165  # every complete row of the slice
    assert rows_quarantined == 288  # the rows with an empty review_content
    assert tail == ("parse", "last record cut off mid-field: 140 bytes dropped")
    assert movies == 118
    assert run.reviews_parsed == 5165


def test_companion_movies_table_names_the_movies(tmp_path, warehouse_path):
    sources = tmp_path / "kaggle"
    sources.mkdir()
    shutil.copy(KAGGLE, sources / "rotten_tomatoes_critic_reviews.csv")
    shutil.copy(
        FIXTURES / "rotten_tomatoes_movies_sample.csv", sources / "rotten_tomatoes_movies.csv"
    )
    ingest([sources], warehouse_path)
    with reading(warehouse_path) as con:
        titles = dict(
            table(
                con,
                "SELECT movie_slug, movie_title || ' (' || movie_year || ')' FROM dim_movies "
                "WHERE movie_slug IN ('0814255', '0878835')",
            )
        )
        from_slug = table(
            con, "SELECT movie_title FROM dim_movies WHERE movie_slug = '1000013-12_angry_men'"
        )
    assert titles == {
        "0814255": "Percy Jackson & the Olympians: The Lightning Thief (2010)",
        "0878835": "Please Give (2010)",
    }
    assert from_slug == [("12 Angry Men",)]


def test_scraped_csv_with_kaggle_like_columns(warehouse_path):
    run = ingest([FIXTURES / "rt_scraped_critic_reviews_2023_lzwxxx.csv"], warehouse_path)
    assert run.status == "completed"
    with reading(warehouse_path) as con:
        row = table(
            con,
            "SELECT review_date::VARCHAR, score_raw, score_normalized, is_fresh, movie_title "
            "FROM reviews WHERE critic_name = 'Diego Batlle'",
        )
        movies = table(con, "SELECT count(*) FROM dim_movies")[0][0]
    assert row == [("2021-06-22", " 3.5/5 ", 0.7, True, "I See You")]  # score_raw as found
    assert movies >= 25
