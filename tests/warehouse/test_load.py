from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import UTC, datetime

import polars as pl
import pytest

from flows import stages
from flows.pages import file_page
from tests.conftest import DEMO_PAGES, SEED_PAGE
from tests.helpers import batch_of, reviews_from, table
from transforms.normalize import normalize_reviews
from warehouse.load import Load, RunRow, load_run
from warehouse.publish import reading, writing


def run_record(run_id: str) -> RunRow:
    return RunRow(run_id=run_id, started_at=datetime.now(UTC), ended_at=datetime.now(UTC))


def load(warehouse_path, reviews: pl.DataFrame, run_id: str):
    with writing(warehouse_path) as con:
        return load_run(con, batch_of(reviews), run_record(run_id))


def snapshot(warehouse_path) -> list[tuple]:
    with reading(warehouse_path) as con:
        return table(con, "SELECT * FROM reviews ORDER BY review_id")


def test_seed_loads_exactly(warehouse_path):
    counts = load(warehouse_path, reviews_from(SEED_PAGE), "run-1")
    assert (counts.new, counts.updated, counts.unchanged) == (20, 0, 0)
    with reading(warehouse_path) as con:
        rows = table(
            con,
            "SELECT strftime(review_date, '%Y-%m-%d'), score_raw, score_normalized "
            "FROM reviews WHERE movie_title = 'Backstage' ORDER BY review_date, score_raw",
        )
    assert len(rows) == 20
    assert sum(1 for row in rows if row[1] is not None) == 14
    assert ("2007-01-11", "C", 0.5) in rows
    assert ("2006-11-23", "3.5/5", 0.7) in rows


def test_reloading_the_same_input_changes_nothing(warehouse_path):
    reviews = reviews_from(*sorted(DEMO_PAGES.glob("*.txt")))
    load(warehouse_path, reviews, "run-1")
    before = snapshot(warehouse_path)
    counts = load(warehouse_path, reviews, "run-2")
    assert counts.new == counts.updated == 0
    assert counts.unchanged == reviews.height
    assert snapshot(warehouse_path) == before  # last_run_id included: still run-1


def test_a_changed_review_is_updated_and_counted(warehouse_path):
    reviews = reviews_from(SEED_PAGE)
    load(warehouse_path, reviews, "run-1")
    changed = reviews.with_columns(
        pl.when(pl.col("score_raw") == "C")
        .then(pl.lit(True))
        .otherwise(pl.col("is_fresh"))
        .alias("is_fresh")
    )
    counts = load(warehouse_path, changed, "run-2")
    assert (counts.new, counts.updated) == (0, 2)
    with reading(warehouse_path) as con:
        runs = table(
            con,
            "SELECT first_run_id, last_run_id, count(*) FROM fct_reviews GROUP BY ALL ORDER BY 2",
        )
    assert runs == [("run-1", "run-1", 18), ("run-1", "run-2", 2)]


def test_a_later_sighting_without_a_score_keeps_the_score(warehouse_path):
    reviews = reviews_from(SEED_PAGE)
    load(warehouse_path, reviews, "run-1")
    scoreless = reviews.with_columns(
        pl.lit(None, pl.String).alias("score_raw"),
        pl.lit(None, pl.Float64).alias("score_normalized"),
        pl.lit("empty").alias("score_status"),
    )
    counts = load(warehouse_path, scoreless, "run-2")
    assert counts.unchanged == 20
    with reading(warehouse_path) as con:
        assert table(con, "SELECT count(score_normalized) FROM reviews") == [(14,)]


def test_a_failed_load_rolls_back_everything(warehouse_path):
    load(warehouse_path, reviews_from(SEED_PAGE), "run-1")
    before = snapshot(warehouse_path)
    other = reviews_from(*sorted(DEMO_PAGES.glob("night_ferry*.txt")))
    batch = batch_of(other)
    broken = type(batch)(
        reviews=batch.reviews,
        movies=batch.movies,
        critics=batch.critics,
        publications=batch.publications,
        quarantine=batch.quarantine,
        extra_tables={"no_such_table": pl.DataFrame({"x": [1]})},
    )
    with pytest.raises(Exception, match="no_such_table"), writing(warehouse_path) as con:
        load_run(con, broken, run_record("run-2"))
    assert snapshot(warehouse_path) == before
    with reading(warehouse_path) as con:
        assert table(con, "SELECT run_id FROM etl_runs") == [("run-1",)]


def parsed_records(*pages) -> pl.DataFrame:
    return stages.parse_pages([file_page(page) for page in pages], run_id="test").raw


def load_with_raw(warehouse_path, raw: pl.DataFrame, run_id: str) -> None:
    batch = replace(batch_of(normalize_reviews(raw)), raw=raw)
    with writing(warehouse_path) as con:
        load_run(con, batch, run_record(run_id))


def raw_rows(warehouse_path) -> list[tuple]:
    with reading(warehouse_path) as con:
        return table(
            con,
            "SELECT source_url, record_number, quote_raw, run_id FROM raw_reviews ORDER BY ALL",
        )


def test_unchanged_pages_keep_their_raw_records_and_changed_pages_replace_theirs(
    warehouse_path,
):
    seed, other = SEED_PAGE, sorted(DEMO_PAGES.glob("night_ferry*.txt"))[0]
    raw = parsed_records(seed, other)
    load_with_raw(warehouse_path, raw, "run-1")
    first = raw_rows(warehouse_path)
    assert len(first) == raw.height
    assert {row[3] for row in first} == {"run-1"}

    # the same pages again: nothing in the raw layer is rewritten
    load_with_raw(warehouse_path, raw, "run-2")
    assert raw_rows(warehouse_path) == first

    # the seed page now reads differently and has lost its last record
    seed_url = raw.get_column("source_url")[0]
    is_seed = pl.col("source_url") == seed_url
    edited = raw.filter(~is_seed | (pl.col("record_number") < 19)).with_columns(
        pl.when(is_seed & (pl.col("record_number") == 0))
        .then(pl.lit("An edited quote."))
        .otherwise(pl.col("quote_raw"))
        .alias("quote_raw")
    )
    load_with_raw(warehouse_path, edited, "run-3")
    rows = raw_rows(warehouse_path)
    seed_rows = [row for row in rows if row[0] == seed_url]
    other_rows = [row for row in rows if row[0] != seed_url]
    assert len(seed_rows) == 19
    assert {row[3] for row in seed_rows} == {"run-3"}
    assert (seed_url, 0, "An edited quote.", "run-3") in seed_rows
    assert other_rows == [row for row in first if row[0] != seed_url]  # untouched, run-1


def test_staging_view_shows_each_review_with_its_natural_keys(warehouse_path):
    reviews = reviews_from(SEED_PAGE)
    load(warehouse_path, reviews, "run-1")
    with reading(warehouse_path) as con:
        rows = table(
            con,
            "SELECT review_id, movie_key, critic_key, publication_key, quote, run_id "
            "FROM stg_reviews ORDER BY review_id",
        )
    expected = reviews.sort("review_id").select(
        "review_id", "movie_key", "critic_key", "publication_key", "quote", pl.lit("run-1")
    )
    assert rows == expected.rows()


SETTINGS = "SELECT current_setting('threads')"


def two_pages_over_one_loaded(warehouse_path) -> pl.DataFrame:
    """The seed page loaded; the raw records of it and one more page."""
    seed, other = SEED_PAGE, sorted(DEMO_PAGES.glob("night_ferry*.txt"))[0]
    load_with_raw(warehouse_path, parsed_records(seed), "run-1")
    return parsed_records(seed, other)


def test_a_load_begun_then_finished_keeps_its_raw_records_and_its_batch(warehouse_path):
    raw = two_pages_over_one_loaded(warehouse_path)
    reviews = normalize_reviews(raw)
    with Load(writing(warehouse_path), run_record("run-2")) as load:
        load.begin(raw)
        counts = load.finish(batch_of(reviews))
    assert counts.new == reviews.height - 20  # the seed page's 20 were loaded by run-1
    assert len(raw_rows(warehouse_path)) == raw.height
    with reading(warehouse_path) as con:
        assert table(con, "SELECT count(*) FROM reviews") == [(reviews.height,)]
        assert table(con, "SELECT run_id FROM etl_runs ORDER BY ALL") == [("run-1",), ("run-2",)]


def test_an_abandoned_load_keeps_nothing_but_the_evidence_asked_for(warehouse_path):
    raw = two_pages_over_one_loaded(warehouse_path)
    before, raw_before = snapshot(warehouse_path), raw_rows(warehouse_path)
    problem = stages.page_problem("run-2", "https://example.com/x", "validate", "too many")
    quarantine = pl.DataFrame([problem], schema=batch_of(normalize_reviews(raw)).quarantine.schema)

    with Load(writing(warehouse_path), run_record("run-2")) as load:
        load.begin(raw)
        load.abandon()
    with Load(writing(warehouse_path), run_record("run-3")) as load:
        load.begin(raw)
        load.abandon(evidence=(quarantine, {}))

    assert (snapshot(warehouse_path), raw_rows(warehouse_path)) == (before, raw_before)
    with reading(warehouse_path) as con:
        assert table(con, "SELECT run_id FROM etl_runs ORDER BY ALL") == [("run-1",), ("run-3",)]
        assert table(con, "SELECT run_id, reason FROM quarantine") == [("run-2", "too many")]


def test_an_error_while_a_load_is_open_rolls_everything_back(warehouse_path):
    raw = two_pages_over_one_loaded(warehouse_path)
    before, raw_before = snapshot(warehouse_path), raw_rows(warehouse_path)

    def crash_while_validating() -> None:
        with Load(writing(warehouse_path), run_record("run-2")) as load:
            load.begin(raw)
            raise RuntimeError("validation crashed")

    with pytest.raises(RuntimeError, match="validation crashed"):
        crash_while_validating()
    assert (snapshot(warehouse_path), raw_rows(warehouse_path)) == (before, raw_before)
    with reading(warehouse_path) as con:
        assert table(con, "SELECT run_id FROM etl_runs") == [("run-1",)]


def test_a_load_beside_the_run_gives_duckdb_its_threads_back(warehouse_path):
    """The raw records go in on one DuckDB thread, beside validation; the rest of the load
    has every thread again."""
    raw = two_pages_over_one_loaded(warehouse_path)
    with writing(warehouse_path) as con:
        settings = table(con, SETTINGS)
        load = Load(contextlib.nullcontext(con), run_record("run-2"))
        load.begin(raw, alongside=True)
        load.finish(batch_of(normalize_reviews(raw)))
        assert table(con, SETTINGS) == settings
    assert len(raw_rows(warehouse_path)) == raw.height


def test_a_card_read_again_never_overrides_what_the_api_gave(warehouse_path):
    """Night one reads a title's reviews page and its API; night two the API refuses and
    only the cards are read: the reviews keep the API's exact dates and ids."""
    cases = DEMO_PAGES.parent.parent / "tests" / "parsers" / "cases"
    cards = file_page(cases / "rt_review_card" / "fast_x_reviews_page.html")
    cards = replace(
        cards, url=(cases / "rt_review_card" / "fast_x_reviews_page.url").read_text().strip()
    )
    api = file_page(cases / "rt_api" / "fast_x_p1.json")
    api = replace(
        api, url=(cases / "rt_api" / "fast_x_p1.url").read_text().strip(), start_url=cards.url
    )
    both = normalize_reviews(stages.parse_pages([cards, api], run_id="night-1").raw)
    load(warehouse_path, both, "run-1")
    before = snapshot(warehouse_path)
    cards_only = normalize_reviews(stages.parse_pages([cards], run_id="night-2").raw)
    counts = load(warehouse_path, cards_only, "run-2")
    assert counts.new == 0
    assert snapshot(warehouse_path) == before
    with reading(warehouse_path) as con:
        layouts = table(con, "SELECT DISTINCT source_layout FROM reviews")
        dated = table(con, "SELECT count(*) FROM fct_reviews WHERE date_raw LIKE '____-__-__T%'")
    assert layouts == [("rt_api",)]
    assert dated == [(20,)]
