"""Every score format with its exact expected value."""

from __future__ import annotations

import polars as pl
import pytest

from transforms.scores import LETTER_GRADE_POINTS, normalize_scores

# raw, value, scale, normalized, kind, status
CASES = [
    ("3/4", 3, 4, 0.75, "fraction", "ok"),
    (" 3.5/5 ", 3.5, 5, 0.7, "fraction", "ok"),
    ("3.25/5", 3.25, 5, 0.65, "fraction", "ok"),
    ("6.1/10", 6.1, 10, 0.61, "fraction", "ok"),
    ("10/20", 10, 20, 0.5, "fraction", "ok"),
    ("65/100", 65, 100, 0.65, "fraction", "ok"),
    ("0/4", 0, 4, 0.0, "fraction", "ok"),
    ("2 1/2/4", 2.5, 4, 0.625, "fraction", "ok"),
    ("3½/5", 3.5, 5, 0.7, "fraction", "ok"),
    ("2/6", 2, 6, 1 / 3, "fraction", "ok"),
    ("7 out of 10", 7, 10, 0.7, "fraction", "ok"),
    ("3 of 5", 3, 5, 0.6, "fraction", "ok"),
    ("3 stars out of 5", 3, 5, 0.6, "stars", "ok"),
    ("3/5 stars", 3, 5, 0.6, "stars", "ok"),
    ("B+", 83, 100, 0.83, "letter", "ok"),
    ("B +", 83, 100, 0.83, "letter", "ok"),
    ("B plus", 83, 100, 0.83, "letter", "ok"),
    ("A-PLUS", 100, 100, 1.0, "letter", "ok"),
    ("A PLUS", 100, 100, 1.0, "letter", "ok"),
    ("A MINUS", 91, 100, 0.91, "letter", "ok"),
    ("A -", 91, 100, 0.91, "letter", "ok"),
    ("B-MINUS", 67, 100, 0.67, "letter", "ok"),
    ("C-PLUS", 58, 100, 0.58, "letter", "ok"),
    ("D PLUS", 33, 100, 0.33, "letter", "ok"),
    ("b", 75, 100, 0.75, "letter", "ok"),
    ("c-", 42, 100, 0.42, "letter", "ok"),
    ("C", 50, 100, 0.5, "letter", "ok"),
    ("D-", 16, 100, 0.16, "letter", "ok"),
    ("E", 0, 100, 0.0, "letter", "ok"),
    ("E+", 0, 100, 0.0, "letter", "ok"),
    ("F-", 0, 100, 0.0, "letter", "ok"),
    ("B−", 67, 100, 0.67, "letter", "ok"),  # U+2212 minus sign
    ("****", 4, 4, 1.0, "stars_assumed", "ok"),
    ("***1/2", 3.5, 4, 0.875, "stars_assumed", "ok"),
    ("*** 1/2", 3.5, 4, 0.875, "stars_assumed", "ok"),
    ("★★★½", 3.5, 4, 0.875, "stars_assumed", "ok"),
    ("*", 1, 4, 0.25, "stars_assumed", "ok"),
    ("*****", 5, 5, 1.0, "stars_assumed", "ok"),
    ("★★★☆☆", 3, 5, 0.6, "stars", "ok"),
    ("3 stars", 3, 4, 0.75, "stars_assumed", "ok"),
    ("78%", 78, 100, 0.78, "percent", "ok"),
    ("7", 7, None, None, "number", "unparsed"),
    ("5/4", 5, 4, None, "fraction", "out_of_range"),
    ("110%", 110, 100, None, "percent", "out_of_range"),
    ("3/0", 3, 0, None, "fraction", "unparsed"),
    ("two thumbs up", None, None, None, None, "unparsed"),
    ("G", None, None, None, None, "unparsed"),
    ("", None, None, None, None, "empty"),
    ("   ", None, None, None, None, "empty"),
    ("NA", None, None, None, None, "empty"),
    (None, None, None, None, None, "empty"),
]


@pytest.mark.parametrize(("raw", "value", "scale", "normalized", "kind", "status"), CASES)
def test_score_format(raw, value, scale, normalized, kind, status):
    row = normalize_scores(pl.DataFrame({"score_raw": [raw]}, schema={"score_raw": pl.String}))
    got = row.row(0, named=True)
    assert got["score_status"] == status
    assert got["score_kind"] == kind
    assert got["score_value"] == (None if value is None else pytest.approx(value))
    assert got["score_scale"] == (None if scale is None else pytest.approx(scale))
    assert got["score_normalized"] == (None if normalized is None else pytest.approx(normalized))


def test_letter_grades_follow_metacritic_with_e_as_f():
    expected = {
        "A+": 1.0, "A": 1.0, "A-": 0.91, "B+": 0.83, "B": 0.75, "B-": 0.67, "C+": 0.58,
        "C": 0.5, "C-": 0.42, "D+": 0.33, "D": 0.25, "D-": 0.16, "F": 0.0, "E": 0.0,
    }  # fmt: skip
    frame = normalize_scores(pl.DataFrame({"score_raw": list(expected)}))
    assert dict(zip(frame["score_raw"], frame["score_normalized"], strict=True)) == expected
    assert LETTER_GRADE_POINTS["e-"] == LETTER_GRADE_POINTS["f"] == 0


def test_raw_string_is_kept_as_found():
    frame = normalize_scores(pl.DataFrame({"score_raw": [" 3.5/5 ", "B plus"]}))
    assert frame["score_raw"].to_list() == [" 3.5/5 ", "B plus"]
