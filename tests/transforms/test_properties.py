"""Property tests: normalisation is idempotent, in range, and survives DuckDB."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from transforms.dates import review_date, with_review_date
from transforms.distinct import on_distinct, on_runs
from transforms.scores import SCORE_KINDS, SCORE_STATUSES, normalize_scores
from transforms.text import clean_quotes, quote_head_letters, quote_key, quote_key_from_head

SCORE_ALPHABET = "0123456789./ *+-½★☆abcdefABCDEFstarofuplmin%\u2212"
FETCHED = datetime(2024, 5, 1, 12, tzinfo=UTC)

raw_scores = st.lists(
    st.one_of(st.none(), st.text(alphabet=SCORE_ALPHABET, max_size=14), st.text(max_size=8)),
    min_size=1,
    max_size=40,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_scores)
def test_scores_are_in_range_or_null_and_status_is_consistent(raws):
    frame = normalize_scores(pl.DataFrame({"score_raw": raws}, schema={"score_raw": pl.String}))
    for row in frame.iter_rows(named=True):
        assert row["score_status"] in SCORE_STATUSES
        assert row["score_kind"] is None or row["score_kind"] in SCORE_KINDS
        if row["score_status"] == "ok":
            assert 0.0 <= row["score_normalized"] <= 1.0
        else:
            assert row["score_normalized"] is None


@settings(max_examples=200, deadline=None)
@given(raw_scores)
def test_score_normalisation_is_idempotent(raws):
    once = normalize_scores(pl.DataFrame({"score_raw": raws}, schema={"score_raw": pl.String}))
    assert normalize_scores(once).equals(once)


@settings(max_examples=200)
@given(
    st.integers(min_value=1, max_value=100).flatmap(
        lambda scale: st.tuples(st.integers(min_value=0, max_value=scale), st.just(scale))
    ),
    st.sampled_from(["{x}/{y}", "{x} / {y}", "{x} out of {y}", "{x} of {y}", " {x}/{y} "]),
)
def test_any_fraction_within_its_scale_is_x_over_y(pair, template):
    x, y = pair
    frame = normalize_scores(pl.DataFrame({"score_raw": [template.format(x=x, y=y)]}))
    assert frame["score_status"][0] == "ok"
    assert frame["score_normalized"][0] == x / y


@settings(max_examples=100)
@given(st.integers(min_value=1, max_value=50), st.integers(min_value=1, max_value=50))
def test_fractions_above_their_scale_are_out_of_range(y, excess):
    frame = normalize_scores(pl.DataFrame({"score_raw": [f"{y + excess}/{y}"]}))
    assert frame["score_status"][0] == "out_of_range"
    assert frame["score_normalized"][0] is None


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw_scores)
def test_scores_survive_a_duckdb_round_trip(tmp_path: Path, raws):
    frame = normalize_scores(pl.DataFrame({"score_raw": raws}, schema={"score_raw": pl.String}))
    with duckdb.connect(str(tmp_path / "round_trip.duckdb")) as con:
        con.execute("CREATE OR REPLACE TABLE scores AS SELECT * FROM frame")
        back = con.sql("SELECT * FROM scores").pl()
    assert back.equals(frame)


@settings(max_examples=200)
@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)),
    st.sampled_from(["%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%Y-%m-%d", "%Y-%m-%dT10:00:00-08:00"]),
)
def test_any_real_date_in_any_supported_spelling_parses_back(day, fmt):
    frame = pl.DataFrame({"date_raw": [day.strftime(fmt)], "fetched_at": [FETCHED]})
    assert frame.select(review_date()).item() == day


DATE_EXAMPLES = [
    "Jan 11, 2007", "11 January 2007", "2015-01-25T05:06:58-08:00", "01/11/2007",
    "February 30, 2009", "3 days ago", "2d", "yesterday", "Sept. 5, 2010", "soon", "",
    "5m", "2hrs", "5 mins", "Mar 20", "December 28", "Feb 29", "Feb 30",
]  # fmt: skip
date_spellings = st.one_of(
    st.none(),
    st.sampled_from(DATE_EXAMPLES),
    st.text(alphabet="0123456789 /-,JanFebSptdysMrch", max_size=16),
)
fetch_times = st.sampled_from(
    [FETCHED, datetime(2025, 1, 1, 0, 30, tzinfo=UTC), datetime(2024, 2, 29, 23, tzinfo=UTC), None]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(date_spellings, fetch_times), min_size=1, max_size=30))
def test_dates_worked_out_per_distinct_string_match_the_row_by_row_expression(rows):
    frame = pl.DataFrame(
        {"date_raw": [raw for raw, _ in rows], "fetched_at": [at for _, at in rows]},
        schema={"date_raw": pl.String, "fetched_at": pl.Datetime("us", "UTC")},
    )
    fast = with_review_date(frame)
    assert fast.columns == [*frame.columns, "review_date"]
    assert fast["review_date"].to_list() == frame.select(review_date())["review_date"].to_list()


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
    ),
    # a leap year holds every month and day a page can write
    st.dates(min_value=date(2000, 1, 1), max_value=date(2000, 12, 31)),
    st.sampled_from(["{day:%b} {day.day}", "{day:%B} {day.day}", "{day:%b} {day:%d}"]),
)
def test_a_month_and_day_is_the_latest_such_day_not_after_the_fetch(fetched_at, day, spelling):
    frame = pl.DataFrame(
        {"date_raw": [spelling.format(day=day)], "fetched_at": [fetched_at]},
        schema={"date_raw": pl.String, "fetched_at": pl.Datetime("us", "UTC")},
    )
    read = frame.select(review_date()).item()
    assert with_review_date(frame)["review_date"].item() == read
    if read is None:  # only a Feb 29 in a year without one
        assert (day.month, day.day) == (2, 29)
        return
    fetch_day = fetched_at.date()
    assert (read.month, read.day) == (day.month, day.day)
    assert read <= fetch_day
    assert (fetch_day - read).days <= 366
    if (day.month, day.day) != (2, 29):
        assert read.replace(year=read.year + 1) > fetch_day  # no later such day would do


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", None]), st.sampled_from([1, 2, None])),
        min_size=1,
        max_size=30,
    )
)
def test_working_per_run_of_equal_rows_matches_working_per_distinct_row(rows):
    frame = pl.DataFrame(
        {"name": [r[0] for r in rows], "year": [r[1] for r in rows], "row": range(len(rows))},
        schema={"name": pl.String, "year": pl.Int64, "row": pl.Int64},
    )

    def label(distinct: pl.DataFrame) -> pl.DataFrame:
        return distinct.with_columns(
            pl.concat_str(pl.col("name").fill_null("?"), pl.col("year").cast(pl.String))
            .fill_null("-")
            .alias("label")
        )

    by_runs = on_runs(frame, ["name", "year"], label)
    assert by_runs.equals(on_distinct(frame, ["name", "year"], label))
    assert by_runs["row"].to_list() == list(range(len(rows)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=60)), min_size=1, max_size=20))
def test_quote_cleaning_never_leaves_blank_or_padded_strings(quotes):
    frame = pl.DataFrame({"quote_raw": quotes}, schema={"quote_raw": pl.String})
    cleaned = clean_quotes(frame)["quote"].to_list()
    assert all(quote is None or (quote and quote == quote.strip(" ")) for quote in cleaned)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(
                alphabet=st.characters(exclude_characters="&", exclude_categories=["Cs"]),
                max_size=60,
            ),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_quote_cleaning_is_idempotent(quotes):
    # Text with `&` is excluded: "&amp;amp;" is escaped twice and rightly decodes once a pass.
    frame = pl.DataFrame({"quote_raw": quotes}, schema={"quote_raw": pl.String})
    once = clean_quotes(frame)
    again = clean_quotes(once.select(pl.col("quote").alias("quote_raw")))
    assert again["quote"].to_list() == once["quote"].to_list()


quotes_near_the_cut = st.lists(
    # letters, digits, punctuation and Greek capital sigma (whose lower case depends on
    # what follows it), long enough to reach past the part of the quote the key is cut from
    st.sampled_from(["a", "Z", "9", " ", ".", "'", "’", "—", "Σ", "ΑΣ", "σ", "\u0307", "word "]),
    max_size=300,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.none(), quotes_near_the_cut), min_size=1, max_size=20))
# a capital sigma as the head's 120th letter, a letter after the cut: final form in the head
@example(["." * 40 + "a" * 119 + "Σa" + "a" * 50])
def test_the_key_from_a_quote_head_is_the_whole_quote_key_or_says_it_fell_short(quotes):
    frame = pl.DataFrame({"quote": quotes}, schema={"quote": pl.String})
    head, short = quote_key_from_head(pl.col("quote"), quote_head_letters(pl.col("quote")))
    keys = frame.select(
        head.alias("head"), short.alias("short"), quote_key(pl.col("quote")).alias("whole")
    )
    trusted = keys.filter(~pl.col("short").fill_null(False))
    assert trusted["head"].to_list() == trusted["whole"].to_list()
