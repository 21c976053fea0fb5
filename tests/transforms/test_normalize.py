from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

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


def test_ids_are_md5_prefixes_stable_across_versions():
    ids = stable_ids(pl.Series(["movie|backstage", None]))
    assert ids.to_list() == ["ccb8bf8312f49c0a", None]  # md5("movie|backstage")[:16]


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
