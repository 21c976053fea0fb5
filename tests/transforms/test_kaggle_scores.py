"""Normalisation on real data: the Kaggle slice in tests/fixtures.

The rules are stated against the CSV itself, not against counts of today's output, so a
change in the slice or in the normaliser that breaks one of them fails here.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import polars as pl
import pytest

from parsers import datasets
from tests.conftest import FIXTURES
from transforms.normalize import normalize_reviews
from transforms.scores import LETTER_GRADE_POINTS


@pytest.fixture(scope="module")
def csv() -> pl.DataFrame:
    data = (FIXTURES / "kaggle_rt_critic_reviews_first1MiB.csv").read_bytes()
    complete = data[: datasets.complete_prefix(data)]
    return pl.read_csv(io.BytesIO(complete), infer_schema=False)


@pytest.fixture(scope="module")
def reviews(csv: pl.DataFrame) -> pl.DataFrame:
    kind = datasets.sniff(csv.columns)
    assert kind is not None
    raw = datasets.raw_reviews(
        csv, kind.columns, source_url="file:///kaggle.csv", fetched_at=datetime.now(UTC)
    ).collect()
    return normalize_reviews(raw)


def has_score(column: str) -> pl.Expr:
    return (pl.col(column).str.strip_chars().str.len_chars() > 0).fill_null(False)


def scored(reviews: pl.DataFrame) -> pl.DataFrame:
    return reviews.filter(has_score("score_raw"))


def test_every_score_the_csv_states_reaches_the_reviews(csv, reviews):
    stated = csv.filter(has_score("review_score"))
    assert scored(reviews).height == stated.height


def test_at_least_995_per_mille_of_real_scores_parse(reviews):
    given = scored(reviews)
    ok = given.filter(pl.col("score_status") == "ok")
    rest = given.filter(pl.col("score_status") != "ok").group_by("score_raw", "score_status").len()
    assert ok.height >= 0.995 * given.height, rest.rows()


def test_a_review_without_a_score_has_no_kind_and_status_empty(reviews):
    blank = reviews.filter(~has_score("score_raw"))
    assert blank.height > 0
    assert blank["score_kind"].null_count() == blank.height
    assert blank["score_status"].unique().to_list() == ["empty"]


def test_each_score_kind_matches_the_form_the_critic_wrote(reviews):
    given = scored(reviews).with_columns(text=pl.col("score_raw").str.strip_chars())
    fraction_form = pl.col("text").str.contains(r"^\d+(?:\.\d+)?\s*/\s*\d+(?:\.\d+)?$")
    letter_form = pl.col("text").str.contains(r"(?i)^[a-f][+-]?$")
    fractions = given.filter(fraction_form)
    letters = given.filter(letter_form)
    assert fractions["score_kind"].unique().to_list() == ["fraction"]
    assert letters["score_kind"].unique().to_list() == ["letter"]
    # the dump writes scores in these two forms only
    assert fractions.height + letters.height == given.height


def test_a_fraction_is_its_value_over_its_scale(reviews):
    fractions = scored(reviews).filter(pl.col("score_kind") == "fraction")
    parts = pl.col("score_raw").str.split("/")
    by_hand = parts.list.get(0).cast(pl.Float64) / parts.list.get(1).cast(pl.Float64)
    checked = fractions.select(pl.col("score_normalized"), by_hand.alias("by_hand"))
    assert (checked["score_normalized"] - checked["by_hand"]).abs().max() < 1e-9


def test_a_letter_is_metacritics_points_out_of_100(reviews):
    letters = scored(reviews).filter(pl.col("score_kind") == "letter")
    points = letters["score_raw"].str.strip_chars().str.to_lowercase().to_list()
    assert letters["score_normalized"].to_list() == [
        round(LETTER_GRADE_POINTS[grade] / 100, 2) for grade in points
    ]
