from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from parsers.records import RAW_SCHEMA
from transforms.keys import stable_ids
from transforms.normalize import (
    critics_of,
    deduplicate,
    deduplicate_lazy,
    movies_of,
    normalize_reviews,
    publications_of,
)
from transforms.schema import REVIEWS_SCHEMA

FETCHED = datetime(2024, 1, 1, tzinfo=UTC)


def raw(*records: dict) -> pl.DataFrame:
    base = {"source_url": "file:///p.txt", "source_layout": "test", "fetched_at": FETCHED}
    return pl.DataFrame([{**base, **record} for record in records], schema=RAW_SCHEMA)


REVIEW = {
    "movie_title": "Backstage",
    "critic_name": "Jane Doe",
    "publication": "The Daily",
    "date_raw": "January 11, 2007",
    "quote_raw": "A fine film.",
    "score_raw": "C",
    "sentiment": "fresh",
}


def test_output_follows_the_declared_schema():
    assert normalize_reviews(raw(REVIEW)).schema == REVIEWS_SCHEMA


def test_same_review_from_two_pages_is_one_row_with_the_best_of_both():
    with_score = {**REVIEW, "source_url": "file:///other-page.txt", "review_url": None}
    without_score = {
        **REVIEW,
        "score_raw": None,
        "quote_raw": "A fine film!",  # punctuation differs: same review
        "review_url": "https://paper/review",
    }
    reviews = normalize_reviews(raw(without_score, with_score))
    assert reviews.height == 1
    row = reviews.row(0, named=True)
    assert row["score_normalized"] == 0.5
    assert row["review_url"] == "https://paper/review"


def test_lazy_deduplication_across_batches_matches_the_eager_one(tmp_path):
    with_score = {**REVIEW, "source_url": "file:///other-page.txt", "review_url": None}
    without_score = {**REVIEW, "score_raw": None, "review_url": "https://paper/review"}
    other = {**REVIEW, "critic_name": "John Roe"}
    batches = [raw(without_score, other), raw(with_score), raw({**other, "quote_raw": "Two."})]
    paths = []
    for number, batch in enumerate(batches):
        paths.append(tmp_path / f"batch-{number}.parquet")
        normalize_reviews(batch).write_parquet(paths[-1])
    eager = deduplicate(pl.read_parquet(paths)).sort("review_id")
    lazy = deduplicate_lazy(pl.scan_parquet(paths)).collect().sort("review_id")
    assert lazy.height == 3
    assert lazy.equals(eager)
    merged = lazy.filter(pl.col("critic_name") == "Jane Doe").row(0, named=True)
    assert (merged["score_normalized"], merged["review_url"]) == (0.5, "https://paper/review")


def test_different_critics_same_quote_are_two_reviews():
    other = {**REVIEW, "critic_name": "John Roe"}
    assert normalize_reviews(raw(REVIEW, other)).height == 2


def test_fresh_flag_is_the_pages_word_never_the_score():
    rows = normalize_reviews(
        raw(
            {**REVIEW, "score_raw": "A+", "sentiment": "rotten", "quote_raw": "a"},
            {**REVIEW, "score_raw": "F", "sentiment": "Fresh", "quote_raw": "b"},
            {**REVIEW, "score_raw": "A+", "sentiment": None, "quote_raw": "c"},
            {**REVIEW, "score_raw": "A+", "sentiment": "POSITIVE", "quote_raw": "d"},
        )
    ).sort("quote")
    assert rows["is_fresh"].to_list() == [False, True, None, True]


def test_movie_key_prefers_slug_then_title_and_year():
    reviews = normalize_reviews(
        raw(
            {**REVIEW, "movie_slug": "backstage_2005", "quote_raw": "a"},
            {**REVIEW, "movie_year": 2005, "quote_raw": "b"},
            {**REVIEW, "quote_raw": "c"},
            {**REVIEW, "movie_title": None, "source_url": "https://x/m/the_thing/reviews"},
        )
    )
    keys = set(reviews["movie_key"].to_list())
    assert keys == {
        "slug:backstage_2005",
        "title:backstage:2005",
        "title:backstage",
        "slug:the_thing",
    }
    by_slug = reviews.filter(pl.col("movie_key") == "slug:the_thing").row(0, named=True)
    assert (by_slug["movie_title"], by_slug["movie_title_source"]) == ("The Thing", "slug")


def test_dimensions_have_one_row_per_key_with_the_common_spelling():
    reviews = normalize_reviews(
        raw(
            {**REVIEW, "critic_name": "Jane Doe", "quote_raw": "a"},
            {**REVIEW, "critic_name": "JANE DOE", "quote_raw": "b"},
            {**REVIEW, "critic_name": "Jane Doe", "quote_raw": "c"},
        )
    )
    critics = critics_of(reviews)
    assert critics.select("critic_key", "critic_name").rows() == [("jane doe", "Jane Doe")]
    assert movies_of(reviews).height == 1
    assert publications_of(reviews)["publication_name"].to_list() == ["The Daily"]


def test_a_stated_title_beats_a_title_made_from_the_slug():
    reviews = normalize_reviews(
        raw(
            {**REVIEW, "movie_title": None, "movie_slug": "backstage", "quote_raw": "a"},
            {
                **REVIEW,
                "movie_title": "Backstage (2005)",
                "movie_slug": "backstage",
                "quote_raw": "b",
            },
        )
    )
    movies = movies_of(reviews)
    assert movies.select("movie_title", "movie_title_source").rows() == [
        ("Backstage (2005)", "stated")
    ]


def test_review_ids_come_from_movie_critic_date_and_the_whole_quote_key():
    wordy = "A fine film, " * 30  # the key's letters all within the quote's head
    punctuated = "— " * 100 + "Finally, a fine film."  # its key's letters past the head
    reviews = normalize_reviews(
        raw({**REVIEW, "quote_raw": wordy}, {**REVIEW, "quote_raw": punctuated})
    ).sort("quote")
    expected = stable_ids(
        reviews.select(
            pl.concat_str(
                pl.lit("title:backstage"),
                pl.lit("critic:jane doe"),
                pl.lit("2007-01-11"),
                pl.col("quote")
                .str.to_lowercase()
                .str.replace_all(r"[^\p{L}\p{N}]+", "")
                .str.slice(0, 120),
                separator="|",
            )
        ).to_series()
    )
    assert reviews["review_id"].to_list() == expected.to_list()


def test_an_old_layouts_review_id_is_unchanged():
    # The documented formula: md5("movie|who|date|quote")[:16], the key written out by hand
    # (md5sum of it: c1669e6f38d26a3f1531981bcaf115cc). Warehouses hold ids made this way.
    key = "title:backstage|critic:jane doe|2007-01-11|afinefilm"
    assert hashlib.md5(key.encode()).hexdigest()[:16] == "c1669e6f38d26a3f"
    reviews = normalize_reviews(raw({**REVIEW, "source_layout": "review_row"}))
    assert reviews["review_id"].to_list() == ["c1669e6f38d26a3f"]


def test_old_layouts_keep_the_date_in_the_key_todays_rt_leaves_it_out():
    def ids(layout: str) -> int:
        seen = [{**REVIEW, "source_layout": layout, "date_raw": day} for day in ("3d", "Mar 20")]
        return normalize_reviews(raw(*seen)).height

    assert ids("review_row") == 2  # two dates: two reviews
    assert ids("rt_review_card") == 1  # the same card read on two days
    assert ids("rt_api") == 1


MATRIX = "https://www.rottentomatoes.com/m/the_matrix"
CARD = {
    "source_url": f"{MATRIX}/reviews",
    "source_layout": "rt_review_card",
    "page_number": 1,
    "fetched_at": datetime(2026, 4, 10, 8, tzinfo=UTC),
    "movie_title": "The Matrix",
    "movie_slug": "the_matrix",
    "movie_year": 1999,
    "critic_name": "Joe Morgenstern",
    "critic_url": "https://www.rottentomatoes.com/critic/joe-morgenstern",
    "publication": " Wall Street Journal ",
    "is_top_critic": True,
    "sentiment": "POSITIVE",
    "score_raw": "2.5/4",
    "date_raw": "3d",
    "quote_raw": "Though The Matrix ultimately overdoses on gloom-and-doom grunge…",
    "review_url": "https://web.archive.org/web/2000/http://www.example.com/lfilm598.htm",
}
API = {
    "source_url": "https://www.rottentomatoes.com/napi/rtcf/v1/movies/ems-1/reviews?pageCount=20",
    "source_layout": "rt_api",
    "fetched_at": datetime(2026, 4, 10, 8, 1, tzinfo=UTC),
    "movie_slug": "the_matrix",  # the slug of the crawl's start URL; the API names none
    "critic_name": "Joe Morgenstern",
    "critic_url": "https://www.rottentomatoes.com/critic/joe-morgenstern-2",
    "publication": "Wall Street Journal",
    "is_top_critic": True,
    "sentiment": "POSITIVE",
    "score_raw": None,  # the card's score only fills this gap
    "date_raw": "2026-04-06T23:10:00.000Z",
    "quote_raw": "Though The Matrix ultimately overdoses on gloom-and-doom grunge&#8230;",
    "review_url": "https://www.wsj.com/articles/the-matrix-review",
    "source_review_id": "2637419",
}


@pytest.mark.parametrize("order", ["card first", "api first"])
def test_a_review_from_a_card_and_from_the_api_is_one_row_with_the_apis_fields(order):
    records = (CARD, API) if order == "card first" else (API, CARD)
    frame = pl.DataFrame(list(records), schema=RAW_SCHEMA)
    reviews = normalize_reviews(frame)
    assert reviews.height == 1
    row = reviews.row(0, named=True)
    assert row["movie_key"] == "slug:the_matrix"
    # The API's fields, though the card's sighting is the more complete one (it has a score).
    assert (row["review_date"], row["date_raw"]) == (date(2026, 4, 6), API["date_raw"])
    assert row["source_review_id"] == "2637419"
    assert row["critic_url"] == API["critic_url"]
    assert row["review_url"] == API["review_url"]
    assert (row["source_url"], row["source_layout"]) == (API["source_url"], "rt_api")
    assert (row["fetched_at"], row["page_number"]) == (API["fetched_at"], None)
    # Gaps filled from the card: the score (all its columns together) and the stated title.
    assert (row["score_raw"], row["score_normalized"], row["score_status"]) == (
        "2.5/4",
        0.625,
        "ok",
    )
    assert (row["movie_title"], row["movie_title_source"], row["movie_year"]) == (
        "The Matrix",
        "stated",
        1999,
    )


def test_the_card_and_api_rows_share_one_id_made_without_the_date():
    card = normalize_reviews(pl.DataFrame([CARD], schema=RAW_SCHEMA))
    api = normalize_reviews(pl.DataFrame([API], schema=RAW_SCHEMA))
    quote = "thoughthematrixultimatelyoverdosesongloomanddoomgrunge"
    key = f"slug:the_matrix|critic:joe morgenstern||{quote}"
    assert card["review_id"].to_list() == [hashlib.md5(key.encode()).hexdigest()[:16]]
    assert api["review_id"].to_list() == card["review_id"].to_list()
    assert card["review_date"].to_list() == [date(2026, 4, 7)]  # 3d before April 10


def test_card_and_api_rows_in_different_batches_merge_the_same_way(tmp_path):
    paths = []
    for number, record in enumerate((CARD, API)):
        paths.append(tmp_path / f"batch-{number}.parquet")
        normalize_reviews(pl.DataFrame([record], schema=RAW_SCHEMA)).write_parquet(paths[-1])
    merged = deduplicate_lazy(pl.scan_parquet(paths)).collect()
    both = normalize_reviews(pl.DataFrame([CARD, API], schema=RAW_SCHEMA))
    assert merged.equals(both)


def test_a_merged_rows_score_columns_come_from_one_sighting():
    # Sorted by completeness, the unparsed sighting comes first (it has more fields); its
    # score text must not be paired with the other sighting's scale.
    unparsed = {**REVIEW, "score_raw": "4.75", "review_url": "https://paper/review"}
    parsed = {**REVIEW, "score_raw": "3/4", "publication": None, "sentiment": None}
    row = normalize_reviews(raw(unparsed, parsed)).row(0, named=True)
    assert (row["score_raw"], row["score_value"], row["score_scale"], row["score_status"]) == (
        "4.75",
        4.75,
        None,
        "unparsed",
    )
    assert row["review_url"] == "https://paper/review"


def test_a_tv_seasons_reviews_are_keyed_by_show_and_season():
    season = {
        **REVIEW,
        "movie_title": None,
        "source_layout": "rt_review_card",
        "source_url": "https://www.rottentomatoes.com/tv/Severance/s02/reviews?type=top_critics",
    }
    row = normalize_reviews(raw(season)).row(0, named=True)
    assert (row["movie_key"], row["movie_slug"]) == ("slug:tv/severance/s02", "tv/severance/s02")
    assert row["movie_id"] == "a5bd250d1c5a7696"  # md5("slug:tv/severance/s02")[:16]
    assert (row["movie_title"], row["movie_title_source"]) == ("Severance Season 2", "slug")


CASES = Path(__file__).parents[1] / "parsers" / "cases"


def golden_reviews(layout: str, case: str, fetched_at: datetime, **inherited: str) -> pl.DataFrame:
    """A golden case's expected raw reviews, with the page columns the parse stage adds."""
    expected = json.loads((CASES / layout / f"{case}.expected.json").read_text())
    url = (CASES / layout / f"{case}.url").read_text().strip()
    page = {"source_url": url, "source_layout": layout, "fetched_at": fetched_at}
    records = [{**review, **page, **inherited} for review in expected["reviews"]]
    return pl.DataFrame(records, schema=RAW_SCHEMA)


def test_todays_rt_cards_and_api_pages_of_a_title_load_each_review_once():
    # The reviews page's 20 cards, then the API's 47 reviews (20 + 20 + 7) its link leads to,
    # given the slug of the crawl's start URL as the parse stage does.
    fetched = datetime(2026, 4, 10, 8, tzinfo=UTC)
    cards = golden_reviews("rt_review_card", "fast_x_reviews_page", fetched)
    api = pl.concat(
        golden_reviews("rt_api", f"fast_x_p{n}", fetched, movie_slug="fast_x") for n in (1, 2, 3)
    )
    reviews = normalize_reviews(pl.concat([cards, api]))
    # every card is also in the API's answer: one row per review the API lists
    assert reviews.height == api["source_review_id"].n_unique()
    assert reviews["movie_key"].unique().to_list() == ["slug:fast_x"]
    assert reviews["source_layout"].unique().to_list() == ["rt_api"]
    assert reviews["source_review_id"].null_count() == 0
    # the title and year the cards' page states; the API states neither
    movie = movies_of(reviews).select("movie_title", "movie_title_source", "movie_year")
    assert movie.rows() == [("Fast X", "stated", 2023)]
    assert reviews.filter(pl.col("movie_title_source") == "stated").height == cards.height
