"""Expectation suites as code: one per table, each with its grain written down.

Every expectation carries `meta["tier"]`:

- `row`: a failing row is quarantined with the expectation named; the rest of the batch loads;
- `batch`: a failure stops the load of the whole run;
- `warning` (severity `warning`): counted and reported, never blocks. Critics decide
  fresh/rotten themselves, so a score that disagrees with the flag is only a warning.

Suites validate the frames built by `expectations.frames`, where long text is represented by
its length (`quote_chars`) so that GX does not hash every quote.
"""

from __future__ import annotations

from datetime import date, timedelta

import great_expectations as gx
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from expectations.settings import ValidationSettings
from transforms.scores import SCORE_KINDS, SCORE_STATUSES

E = gx.expectations
ROW, BATCH, WARNING = "row", "batch", "warning"

# key column of each suite's frame, used for `unexpected_index_column_names`
SUITE_KEYS: dict[str, str] = {
    "reviews": "row",  # positions; `frames.ReviewsFrame.ids_at` makes them review_ids
    "reviews_batch": "check",
    "movies_batch": "movie_id",
    "movies": "movie_id",
    "critics": "critic_id",
    "publications": "publication_id",
}


def _meta(tier: str, reason: str) -> dict[str, str]:
    return {"tier": tier, "reason": reason}


def _suite(
    *, name: str, meta: dict[str, str], expectations: list[gx.expectations.Expectation]
) -> gx.ExpectationSuite:
    """A suite with its expectations, each showing its reason and tier in the Data Docs, and
    the suite its grain.

    The expectations go in through the constructor: `add_expectation` on a suite whose name
    is already stored writes the store once per expectation."""
    for expectation in expectations:
        expectation.notes = f"{expectation.meta['reason']} (tier: {expectation.meta['tier']})"
    return gx.ExpectationSuite(
        name=name,
        meta=meta,
        expectations=expectations,
        notes=f"Grain: {meta.get('grain', 'not stated')}.",
    )


def reviews_suite(settings: ValidationSettings, today: date) -> gx.ExpectationSuite:
    """Row tier for `fct_reviews`. Grain: one row per review, keyed by review_id."""
    tomorrow = pd.Timestamp(today + timedelta(days=1))
    earliest = pd.Timestamp(date(settings.earliest_review_year, 1, 1))
    return _suite(
        name="reviews",
        meta={"grain": "one row per review, keyed by review_id", "table": "fct_reviews"},
        expectations=[
            E.ExpectColumnValuesToNotBeNull(
                column="review_id", meta=_meta(ROW, "review has no key")
            ),
            E.ExpectColumnValuesToBeUnique(
                column="review_id", meta=_meta(ROW, "review key seen twice in one batch")
            ),
            E.ExpectColumnValuesToNotBeNull(
                column="movie_id", meta=_meta(ROW, "review names no movie")
            ),
            E.ExpectColumnValuesToNotBeNull(
                column="quote_chars", meta=_meta(ROW, "quote is missing")
            ),
            E.ExpectColumnValuesToBeBetween(
                column="quote_chars",
                min_value=1,
                max_value=settings.max_quote_chars,
                meta=_meta(ROW, "quote length is not sane"),
            ),
            E.ExpectColumnValuesToNotBeNull(
                column="review_date", meta=_meta(ROW, "review date is missing or not a real day")
            ),
            E.ExpectColumnValuesToBeBetween(
                column="review_date",
                min_value=earliest,
                max_value=tomorrow,
                meta=_meta(ROW, f"review date is before {earliest.year} or after tomorrow"),
            ),
            E.ExpectColumnValuesToBeBetween(
                column="score_normalized",
                min_value=0,
                max_value=1,
                meta=_meta(ROW, "normalised score is outside 0..1"),
            ),
            E.ExpectColumnValuesToBeInSet(
                column="score_status",
                value_set=list(SCORE_STATUSES),
                meta=_meta(ROW, "score status is not a known status"),
            ),
            E.ExpectColumnValuesToNotBeInSet(
                column="score_status",
                value_set=["out_of_range"],
                meta=_meta(ROW, "score is above its own scale"),
            ),
            E.ExpectColumnValuesToBeInSet(
                column="score_kind",
                value_set=list(SCORE_KINDS),
                meta=_meta(ROW, "score kind is not a known kind"),
            ),
            E.ExpectColumnValuesToBeBetween(
                column="critic_name_chars",
                min_value=1,
                max_value=settings.max_name_chars,
                meta=_meta(ROW, "critic name length is not sane"),
            ),
            E.ExpectColumnValuesToBeBetween(
                column="publication_name_chars",
                min_value=1,
                max_value=settings.max_name_chars,
                meta=_meta(ROW, "publication name length is not sane"),
            ),
            E.ExpectColumnValuesToBeBetween(
                column="score_normalized",
                max_value=0.8,
                strict_max=True,
                row_condition=Column("is_fresh") == False,  # noqa: E712 - a GX condition, not a test
                severity="warning",
                meta=_meta(WARNING, "high score marked rotten"),
            ),
            E.ExpectColumnValuesToBeBetween(
                column="score_normalized",
                min_value=0.4,
                row_condition=Column("is_fresh") == True,  # noqa: E712 - a GX condition, not a test
                severity="warning",
                meta=_meta(WARNING, "low score marked fresh"),
            ),
        ],
    )


def reviews_batch_suite(settings: ValidationSettings) -> gx.ExpectationSuite:
    """Batch tier for `fct_reviews`, on the one-row summary of the run's batch."""
    return _suite(
        name="reviews_batch",
        meta={"grain": "one row per run: the batch's summary", "table": "fct_reviews"},
        expectations=[
            E.ExpectColumnValuesToBeBetween(
                column="reviews_parsed_when_pages_parsed",
                min_value=1,
                meta=_meta(BATCH, "pages were parsed but the batch holds no reviews"),
            ),
            E.ExpectColumnValuesToBeBetween(
                column="quarantined_share",
                min_value=0,
                max_value=settings.max_quarantined_share,
                meta=_meta(BATCH, "too many rows quarantined"),
            ),
            E.ExpectColumnValuesToBeBetween(
                column="unparsed_score_share",
                min_value=0,
                max_value=settings.max_unparsed_score_share,
                meta=_meta(BATCH, "too many scores could not be parsed"),
            ),
        ],
    )


def movies_batch_suite(settings: ValidationSettings) -> gx.ExpectationSuite:
    """Batch tier across runs: no movie loses more than half of the reviews the warehouse
    already holds from the same pages. Grain: one row per movie in the batch."""
    return _suite(
        name="movies_batch",
        meta={"grain": "one row per movie in the batch, keyed by movie_id", "table": "dim_movies"},
        expectations=[
            E.ExpectColumnValuesToBeBetween(
                column="kept_share",
                min_value=settings.min_kept_share_per_movie,
                meta=_meta(
                    BATCH, "a movie lost more than half its reviews compared with the warehouse"
                ),
            )
        ],
    )


def movies_suite(today: date) -> gx.ExpectationSuite:
    """`dim_movies`. Grain: one row per movie, keyed by movie_id. A year more than five
    after the run's `today` is not plausible."""
    return _suite(
        name="movies",
        meta={"grain": "one row per movie, keyed by movie_id", "table": "dim_movies"},
        expectations=[
            *_key_expectations("movie_id", "movie"),
            E.ExpectColumnValuesToNotBeNull(
                column="movie_key", meta=_meta(BATCH, "movie without natural key")
            ),
            E.ExpectColumnValuesToBeBetween(
                column="movie_year",
                min_value=1888,
                max_value=today.year + 5,
                meta=_meta(BATCH, "movie year is not plausible"),
            ),
        ],
    )


def critics_suite() -> gx.ExpectationSuite:
    """`dim_critics`. Grain: one row per critic, keyed by critic_id."""
    return _name_dimension_suite("critics", "critic_id", "critic_name", "dim_critics")


def publications_suite() -> gx.ExpectationSuite:
    """`dim_publications`. Grain: one row per publication, keyed by publication_id."""
    return _name_dimension_suite(
        "publications", "publication_id", "publication_name", "dim_publications"
    )


def _name_dimension_suite(name: str, key: str, label: str, table: str) -> gx.ExpectationSuite:
    entity = name.removesuffix("s")
    return _suite(
        name=name,
        meta={"grain": f"one row per {entity}, keyed by {key}", "table": table},
        expectations=[
            *_key_expectations(key, entity),
            E.ExpectColumnValuesToNotBeNull(
                column=label, meta=_meta(BATCH, f"{entity} without name")
            ),
        ],
    )


def _key_expectations(key: str, entity: str) -> list[gx.expectations.Expectation]:
    """A dimension's key is present and unique."""
    return [
        E.ExpectColumnValuesToNotBeNull(column=key, meta=_meta(BATCH, f"{entity} without key")),
        E.ExpectColumnValuesToBeUnique(column=key, meta=_meta(BATCH, f"{entity} key repeated")),
    ]
