"""The expectation suites, read through Great Expectations' own objects: each suite's grain,
its tiers, the thresholds it takes from the settings, and the columns it checks, which the
frame built for it must hold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import great_expectations as gx
import pandas as pd
import polars as pl
import pytest

from expectations import frames, suites
from expectations.settings import ValidationSettings
from parsers.records import RAW_SCHEMA
from transforms.normalize import critics_of, movies_of, normalize_reviews, publications_of
from transforms.scores import SCORE_KINDS, SCORE_STATUSES

TODAY = date(2026, 4, 10)
SETTINGS = ValidationSettings(
    max_quarantined_share=0.3,
    max_unparsed_score_share=0.4,
    min_kept_share_per_movie=0.6,
    max_quote_chars=500,
    max_name_chars=50,
    earliest_review_year=1950,
)
BUILDERS: dict[str, Callable[[], gx.ExpectationSuite]] = {
    "reviews": lambda: suites.reviews_suite(SETTINGS, TODAY),
    "reviews_batch": lambda: suites.reviews_batch_suite(SETTINGS),
    "movies_batch": lambda: suites.movies_batch_suite(SETTINGS),
    "movies": lambda: suites.movies_suite(TODAY),
    "critics": suites.critics_suite,
    "publications": suites.publications_suite,
}
# Only the reviews suite may quarantine rows; the others judge the whole batch.
TIERS = {
    "reviews": {suites.ROW, suites.WARNING},
    "reviews_batch": {suites.BATCH},
    "movies_batch": {suites.BATCH},
    "movies": {suites.BATCH},
    "critics": {suites.BATCH},
    "publications": {suites.BATCH},
}


def by_reason(suite: gx.ExpectationSuite) -> dict[str, gx.expectations.Expectation]:
    return {expectation.meta["reason"]: expectation for expectation in suite.expectations}


def test_every_suite_names_the_key_its_failing_rows_are_reported_by():
    assert set(BUILDERS) == set(suites.SUITE_KEYS)


@pytest.mark.parametrize("name", BUILDERS)
def test_each_suite_states_its_grain_and_table(name):
    suite = BUILDERS[name]()
    assert suite.name == name
    assert suite.meta["grain"].startswith("one row per ")
    assert suite.meta["table"] in {"fct_reviews", "dim_movies", "dim_critics", "dim_publications"}
    assert suite.notes == f"Grain: {suite.meta['grain']}."


@pytest.mark.parametrize("name", BUILDERS)
def test_each_expectation_has_a_reason_and_the_tiers_its_suite_allows(name):
    suite = BUILDERS[name]()
    assert suite.expectations
    for expectation in suite.expectations:
        tier, reason = expectation.meta["tier"], expectation.meta["reason"]
        assert tier in TIERS[name]
        assert reason
        assert expectation.notes == f"{reason} (tier: {tier})"
        is_warning = expectation.severity == "warning"  # a str enum
        assert is_warning == (tier == suites.WARNING)


@pytest.mark.parametrize("name", BUILDERS)
def test_reasons_are_unique_within_a_suite(name):
    suite = BUILDERS[name]()
    assert len(by_reason(suite)) == len(suite.expectations)


def test_the_reviews_suite_takes_its_limits_from_the_settings_and_today():
    expectations = by_reason(suites.reviews_suite(SETTINGS, TODAY))
    dated = expectations["review date is before 1950 or after tomorrow"]
    assert (dated.min_value, dated.max_value) == (
        pd.Timestamp("1950-01-01"),
        pd.Timestamp("2026-04-11"),
    )
    assert expectations["quote length is not sane"].max_value == SETTINGS.max_quote_chars
    for who in ("critic", "publication"):
        named = expectations[f"{who} name length is not sane"]
        assert (named.column, named.max_value) == (f"{who}_name_chars", SETTINGS.max_name_chars)


def test_the_reviews_suite_knows_every_score_status_and_kind_and_refuses_out_of_range():
    expectations = by_reason(suites.reviews_suite(SETTINGS, TODAY))
    assert expectations["score status is not a known status"].value_set == list(SCORE_STATUSES)
    assert expectations["score kind is not a known kind"].value_set == list(SCORE_KINDS)
    assert expectations["score is above its own scale"].value_set == ["out_of_range"]


def test_a_review_is_keyed_present_and_unique_in_its_batch():
    expectations = by_reason(suites.reviews_suite(SETTINGS, TODAY))
    assert expectations["review has no key"].column == "review_id"
    unique = expectations["review key seen twice in one batch"]
    assert (unique.expectation_type, unique.column) == (
        "expect_column_values_to_be_unique",
        "review_id",
    )


def test_a_score_that_disagrees_with_the_critics_call_is_only_a_warning():
    expectations = by_reason(suites.reviews_suite(SETTINGS, TODAY))
    for reason in ("high score marked rotten", "low score marked fresh"):
        warning = expectations[reason]
        assert warning.meta["tier"] == suites.WARNING
        assert warning.row_condition is not None  # only rows with that flag are judged


def test_the_batch_suites_take_their_thresholds_from_the_settings():
    batch = by_reason(suites.reviews_batch_suite(SETTINGS))
    assert batch["too many rows quarantined"].max_value == SETTINGS.max_quarantined_share
    unparsed = batch["too many scores could not be parsed"]
    assert unparsed.max_value == SETTINGS.max_unparsed_score_share
    [movies] = suites.movies_batch_suite(SETTINGS).expectations
    assert (movies.column, movies.min_value) == ("kept_share", SETTINGS.min_kept_share_per_movie)


@pytest.mark.parametrize(
    ("name", "key"),
    [("movies", "movie_id"), ("critics", "critic_id"), ("publications", "publication_id")],
)
def test_a_dimensions_key_is_present_and_unique(name, key):
    checks = {
        expectation.expectation_type
        for expectation in BUILDERS[name]().expectations
        if expectation.column == key
    }
    assert checks == {"expect_column_values_to_not_be_null", "expect_column_values_to_be_unique"}
    assert suites.SUITE_KEYS[name] == key


def reviews() -> pl.DataFrame:
    review = {
        "source_url": "file:///p.txt",
        "source_layout": "test",
        "fetched_at": datetime(2024, 1, 1, tzinfo=UTC),
        "movie_title": "Backstage",
        "critic_name": "Jane Doe",
        "publication": "The Daily",
        "date_raw": "January 11, 2007",
        "quote_raw": "A fine film.",
        "score_raw": "3/4",
        "sentiment": "fresh",
    }
    return normalize_reviews(pl.DataFrame([review], schema=RAW_SCHEMA))


def test_every_column_a_suite_checks_is_in_the_frame_built_for_it():
    batch = reviews()
    counts = pl.DataFrame({"movie_id": ["a"], "reviews": [1]})
    built = {
        "reviews": frames.reviews_frame(batch).frame,
        "reviews_batch": frames.batch_summary_frame(
            "run", pages_parsed=1, reviews=1, quarantined=0, unparsed_scores=0
        ),
        "movies_batch": frames.movie_loss_frame(counts, counts),
        "movies": frames.dimension_frame(movies_of(batch), list(movies_of(batch).columns)),
        "critics": frames.dimension_frame(critics_of(batch), list(critics_of(batch).columns)),
        "publications": frames.dimension_frame(
            publications_of(batch), list(publications_of(batch).columns)
        ),
    }
    for name, frame in built.items():
        checked = {expectation.column for expectation in BUILDERS[name]().expectations}
        assert checked <= set(frame.columns), name
        assert suites.SUITE_KEYS[name] in frame.columns, name


def test_a_suite_run_by_great_expectations_fails_a_repeated_key():
    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_pandas("suites")
        .add_dataframe_asset("critics")
        .add_batch_definition_whole_dataframe("all")
    )
    repeated = pd.DataFrame({"critic_id": ["a", "a"], "critic_name": ["Jane", "Jane"]})
    distinct = pd.DataFrame({"critic_id": ["a", "b"], "critic_name": ["Jane", "John"]})
    suite = suites.critics_suite()
    assert batch.get_batch(batch_parameters={"dataframe": distinct}).validate(suite).success
    result = batch.get_batch(batch_parameters={"dataframe": repeated}).validate(suite)
    failed = [r.expectation_config.meta["reason"] for r in result.results if not r.success]
    assert failed == ["critic key repeated"]


def test_a_movie_year_is_plausible_up_to_five_years_after_the_runs_day():
    (year_check,) = [
        e
        for e in suites.movies_suite(TODAY).expectations
        if e.meta["reason"].startswith("movie year")
    ]
    assert (year_check.min_value, year_check.max_value) == (1888, TODAY.year + 5)
