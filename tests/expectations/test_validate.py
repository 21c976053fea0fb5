"""Real Great Expectations over real batches."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from expectations.settings import ValidationSettings
from expectations.validate import validate_batch
from flows import stages
from tests.conftest import DEMO_PAGES, SEED_PAGE
from tests.helpers import reviews_from

TODAY = date(2026, 11, 25)


def run(reviews: pl.DataFrame, reports_dir, warehouse_counts=None, **settings):
    dims = stages.dimensions(reviews)
    return validate_batch(
        run_id="run-test",
        reviews=reviews,
        movies=dims["movies"],
        critics=dims["critics"],
        publications=dims["publications"],
        pages_parsed=1,
        warehouse_counts=warehouse_counts,
        reports_dir=reports_dir,
        settings=ValidationSettings(**settings),
        today=TODAY,
    )


@pytest.fixture(scope="module")
def orchard() -> pl.DataFrame:
    """A page with an impossible date and a score above its scale among good reviews."""
    return reviews_from(DEMO_PAGES / "the_quiet_orchard_2008.txt")


def test_bad_rows_are_quarantined_with_the_expectation_named(orchard, tmp_path):
    report = run(orchard, tmp_path, max_quarantined_share=0.5)
    assert report.passed
    assert report.reviews.height == orchard.height - 2
    reasons = sorted(report.quarantine["reason"].to_list())
    assert reasons == [
        "review date is missing or not a real day "
        "[expect_column_values_to_not_be_null on review_date]: date_raw=February 30, 2009",
        "score is above its own scale "
        "[expect_column_values_to_not_be_in_set on score_status]: score_raw=5/4",
    ]
    assert set(report.quarantine["stage"]) == {"validate"}
    assert report.quarantine["record"].str.contains('"quote":"Quietly devastating').any()


def test_too_many_bad_rows_fail_the_batch(orchard, tmp_path):
    report = run(orchard, tmp_path, max_quarantined_share=0.1)
    assert not report.passed
    assert any("too many rows quarantined" in failure for failure in report.batch_failures)


def test_future_dates_beyond_tomorrow_are_row_problems(tmp_path):
    reviews = reviews_from(SEED_PAGE).with_columns(
        pl.when(pl.col("score_raw") == "C-")
        .then(pl.lit(date(2027, 1, 1)))
        .otherwise(pl.col("review_date"))
        .alias("review_date")
    )
    report = run(reviews, tmp_path)
    (reason,) = report.quarantine["reason"].to_list()
    assert "after tomorrow" in reason


def test_unparsed_scores_over_the_threshold_fail_the_batch(tmp_path):
    reviews = reviews_from(SEED_PAGE).with_columns(pl.lit("unparsed").alias("score_status"))
    report = run(reviews, tmp_path, max_unparsed_score_share=0.25)
    assert any("could not be parsed" in failure for failure in report.batch_failures)


def test_a_movie_losing_half_its_reviews_fails_the_batch(tmp_path):
    reviews = reviews_from(SEED_PAGE)
    movie_id = reviews["movie_id"][0]
    held = pl.DataFrame({"movie_id": [movie_id], "reviews": [45]})
    report = run(reviews, tmp_path, warehouse_counts=held)
    assert any("lost more than half" in failure for failure in report.batch_failures)
    kept = pl.DataFrame({"movie_id": [movie_id], "reviews": [30]})
    assert run(reviews, tmp_path, warehouse_counts=kept).passed


def test_score_flag_disagreements_are_warnings_not_rejections(tmp_path):
    reviews = reviews_from(SEED_PAGE).with_columns(
        pl.when(pl.col("score_normalized") >= 0.875).then(False).alias("is_fresh")
    )
    report = run(reviews, tmp_path)
    assert report.passed
    assert report.quarantine.is_empty()
    assert report.warnings == {"high score marked rotten": 1}


def test_results_are_rows_for_the_warehouse_and_docs_are_written(orchard, tmp_path):
    report = run(orchard, tmp_path, max_quarantined_share=0.5)
    results = report.results
    assert set(results["suite"]) == {
        "reviews",
        "reviews_batch",
        "movies",
        "critics",
        "publications",
    }
    failed = results.filter(~pl.col("success"))
    assert sorted(failed["column_name"].to_list()) == ["review_date", "score_status"]
    assert failed["unexpected_count"].to_list() == [1, 1]
    assert report.docs_index is not None
    assert report.docs_index.exists()
    assert (tmp_path / "gx" / "great_expectations.yml").exists()


def test_a_review_key_seen_twice_quarantines_both_rows(tmp_path):
    reviews = reviews_from(SEED_PAGE)
    twice = pl.concat(
        [reviews, reviews.head(1).with_columns(pl.lit("Another quote.").alias("quote"))]
    )
    report = run(twice, tmp_path)
    assert report.passed
    assert report.reviews.height == reviews.height - 1
    assert report.quarantine["review_id"].to_list() == [reviews["review_id"][0]] * 2
    assert set(report.quarantine["reason"].str.extract(r"^([^\[]+) \[")) == {
        "review key seen twice in one batch"
    }


def test_an_unknown_score_status_is_rejected_not_lost(tmp_path):
    reviews = reviews_from(SEED_PAGE).with_columns(
        pl.when(pl.col("score_raw") == "C-")
        .then(pl.lit("mystery"))
        .otherwise(pl.col("score_status"))
        .alias("score_status")
    )
    report = run(reviews, tmp_path)
    (reason,) = report.quarantine["reason"].to_list()
    assert reason.startswith("score status is not a known status")
    assert report.reviews.height == reviews.height - 1


def test_a_huge_bad_value_is_quoted_cut_short_on_one_line(orchard, tmp_path):
    """A 1 MB date string fails its row and is named in the reason, but only its head is
    copied there, with its full length said."""
    huge = "February 30, 2009 " + "x" * 1_000_000 + "\nsecond line"
    bad = orchard.with_columns(
        pl.when(pl.col("date_raw") == "February 30, 2009")
        .then(pl.lit(huge))
        .otherwise(pl.col("date_raw"))
        .alias("date_raw")
    )
    report = run(bad, tmp_path, max_quarantined_share=0.5)
    (reason,) = [r for r in report.quarantine["reason"] if "date_raw=" in r]
    assert len(reason) < 1_000
    assert "\n" not in reason
    assert "date_raw=February 30, 2009 xxx" in reason
    assert reason.endswith(f"… ({len(huge)} chars)")  # one newline became one space
