"""The pandas frames the suites validate: only the checked columns, in types that keep what
is checked (64-bit keys exact, NULLs missing, unknown labels visible), and a way back from a
failing row's position to its review_id."""

from __future__ import annotations

from datetime import date

import pandas as pd
import polars as pl
import pytest

from expectations import frames
from transforms.scores import SCORE_KINDS, SCORE_STATUSES

# Keys above 2**53: a float64 column would round these two onto one number.
BIG = "ffffffffffffffff"
BIG_MINUS_ONE = "fffffffffffffffe"


def reviews(**columns: list) -> pl.DataFrame:
    base = {
        "review_id": [BIG, BIG_MINUS_ONE, None],
        "movie_id": ["00000000000000a1", None, "00000000000000a1"],
        "quote": ["Fine.", "Café ✓", None],
        "review_date": [date(2007, 1, 11), None, date(2024, 2, 29)],
        "score_normalized": [0.75, None, 1.0],
        "score_status": ["ok", "empty", "a status nobody knows"],
        "score_kind": ["fraction", None, "letter"],
        "is_fresh": [True, None, False],
        "critic_name": ["Jane Doe", None, "Zoë"],
        "publication_name": ["The Daily", "Le Monde", None],
    }
    return pl.DataFrame({**base, **columns})


def test_hex_keys_become_the_exact_64_bit_numbers_they_spell_nulls_missing():
    frame = frames.reviews_frame(reviews()).frame
    assert frame["review_id"].dtype == "UInt64"
    assert frame["review_id"].tolist()[:2] == [int(BIG, 16), int(BIG_MINUS_ONE, 16)]
    assert frame["review_id"].nunique() == 2
    assert frame["review_id"].isna().tolist() == [False, False, True]
    assert frame["movie_id"].isna().tolist() == [False, True, False]


def test_a_key_that_is_not_hex_is_missing_not_an_error():
    frame = frames.reviews_frame(reviews(review_id=["not hex", BIG, None])).frame
    assert frame["review_id"].isna().tolist() == [True, False, True]


def test_text_is_checked_by_its_length_in_characters():
    frame = frames.reviews_frame(reviews()).frame
    assert frame["quote_chars"].tolist()[:2] == [5.0, 6.0]
    assert pd.isna(frame["quote_chars"].iloc[2])
    assert frame["critic_name_chars"].tolist()[2] == 3.0
    assert "quote" not in frame.columns


def test_dates_are_nanosecond_datetimes_and_flags_numbers():
    frame = frames.reviews_frame(reviews()).frame
    assert frame["review_date"].dtype == "datetime64[ns]"
    assert frame["review_date"].iloc[2] == pd.Timestamp("2024-02-29")
    assert pd.isna(frame["review_date"].iloc[1])
    assert frame["is_fresh"].tolist()[0::2] == [1.0, 0.0]


def test_labels_are_categoricals_over_the_known_ones_and_any_unknown_stays_visible():
    frame = frames.reviews_frame(reviews()).frame
    status = frame["score_status"]
    assert list(status.cat.categories) == [*SCORE_STATUSES, "a status nobody knows"]
    assert status.iloc[2] == "a status nobody knows"
    assert list(frame["score_kind"].cat.categories) == list(SCORE_KINDS)


def test_rows_are_numbered_by_position_and_positions_lead_back_to_review_ids():
    checked = frames.reviews_frame(reviews())
    assert checked.frame["row"].tolist() == [0, 1, 2]
    assert checked.ids_at([2, 0]) == [None, BIG]


def test_a_lazy_frame_gives_the_same_frame():
    eager = frames.reviews_frame(reviews()).frame
    lazy = frames.reviews_frame(reviews().lazy()).frame
    pd.testing.assert_frame_equal(eager, lazy)


@pytest.mark.parametrize(
    ("counts", "shares"),
    [
        (
            {"pages_parsed": 2, "reviews": 90, "quarantined": 10, "unparsed_scores": 9},
            (100.0, 0.1, 0.1),
        ),
        # pages parsed, nothing read from them: the batch tier's "no reviews" check fails
        ({"pages_parsed": 3, "reviews": 0, "quarantined": 0, "unparsed_scores": 0}, (0.0, 0, 0)),
        # nothing parsed (an all-unchanged run): no share divides by zero, nothing fails
        ({"pages_parsed": 0, "reviews": 0, "quarantined": 0, "unparsed_scores": 0}, (1.0, 0, 0)),
    ],
)
def test_the_batch_summary_is_one_row_of_shares(counts, shares):
    summary = frames.batch_summary_frame("run-1", **counts)
    assert summary["check"].tolist() == ["run-1"]
    row = summary.iloc[0]
    assert (
        row["reviews_parsed_when_pages_parsed"],
        row["quarantined_share"],
        row["unparsed_score_share"],
    ) == shares


def test_movie_loss_is_per_movie_the_warehouse_holds_a_movie_gone_from_the_batch_kept_zero():
    warehouse = pl.DataFrame({"movie_id": ["a", "b", "c"], "reviews": [10, 4, 2]})
    batch = pl.DataFrame({"movie_id": ["a", "c", "new"], "reviews": [5, 3, 7]})
    loss = frames.movie_loss_frame(batch, warehouse)
    assert dict(zip(loss["movie_id"], loss["kept_share"], strict=True)) == {
        "a": 0.5,
        "b": 0.0,
        "c": 1.5,
    }


def test_a_dimension_frame_holds_only_the_columns_asked_for():
    movies = pl.DataFrame({"movie_id": ["a"], "movie_key": ["slug:a"], "movie_year": [1999]})
    frame = frames.dimension_frame(movies, ["movie_id", "movie_year"])
    assert list(frame.columns) == ["movie_id", "movie_year"]
    assert frame.to_dict("records") == [{"movie_id": "a", "movie_year": 1999}]
