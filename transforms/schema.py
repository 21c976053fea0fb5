"""The declared schemas of what transforms hand to validation and the warehouse.

`warehouse/migrations` declares the same columns in SQL; a test keeps the two in step.
"""

from __future__ import annotations

import polars as pl

REVIEWS_SCHEMA: pl.Schema = pl.Schema(
    {
        # grain: one row per review, keyed by review_id
        "review_id": pl.String(),
        "movie_id": pl.String(),
        "critic_id": pl.String(),
        "publication_id": pl.String(),
        "review_date": pl.Date(),
        "quote": pl.String(),
        "review_language_note": pl.String(),
        "score_raw": pl.String(),
        "score_value": pl.Float64(),
        "score_scale": pl.Float64(),
        "score_normalized": pl.Float64(),
        "score_kind": pl.String(),
        "score_status": pl.String(),
        "is_fresh": pl.Boolean(),
        "is_top_critic": pl.Boolean(),
        "review_url": pl.String(),
        "date_raw": pl.String(),
        "source_url": pl.String(),
        "source_layout": pl.String(),
        "page_number": pl.Int32(),
        "fetched_at": pl.Datetime("us", "UTC"),
        # descriptive attributes carried for the dimensions
        "movie_key": pl.String(),
        "movie_slug": pl.String(),
        "movie_title": pl.String(),
        "movie_title_source": pl.String(),
        "movie_year": pl.Int32(),
        "critic_key": pl.String(),
        "critic_name": pl.String(),
        "critic_url": pl.String(),
        "publication_key": pl.String(),
        "publication_name": pl.String(),
        "publication_url": pl.String(),
        # the id the source gives the review (RT's reviewId); last so older files and
        # warehouses only lack a trailing column
        "source_review_id": pl.String(),
    }
)

MOVIES_SCHEMA: pl.Schema = pl.Schema(
    {
        # grain: one row per movie, keyed by movie_id (from the RT slug, else title + year)
        "movie_id": pl.String(),
        "movie_key": pl.String(),
        "movie_slug": pl.String(),
        "movie_title": pl.String(),
        "movie_title_source": pl.String(),
        "movie_year": pl.Int32(),
    }
)

CRITICS_SCHEMA: pl.Schema = pl.Schema(
    {
        # grain: one row per critic, keyed by critic_id (from the case-folded name)
        "critic_id": pl.String(),
        "critic_key": pl.String(),
        "critic_name": pl.String(),
        "critic_url": pl.String(),
    }
)

PUBLICATIONS_SCHEMA: pl.Schema = pl.Schema(
    {
        # grain: one row per publication, keyed by publication_id (from the case-folded name)
        "publication_id": pl.String(),
        "publication_key": pl.String(),
        "publication_name": pl.String(),
        "publication_url": pl.String(),
    }
)

# The columns of the fact table: the review itself plus its dimension keys.
FACT_COLUMNS: tuple[str, ...] = (
    "review_id",
    "movie_id",
    "critic_id",
    "publication_id",
    "review_date",
    "quote",
    "review_language_note",
    "score_raw",
    "score_value",
    "score_scale",
    "score_normalized",
    "score_kind",
    "score_status",
    "is_fresh",
    "is_top_critic",
    "review_url",
    "date_raw",
    "source_url",
    "source_layout",
    "page_number",
    "fetched_at",
    "source_review_id",
)

SCORE_SNAPSHOTS_SCHEMA: pl.Schema = pl.Schema(
    {
        # grain: one row per movie per capture, keyed by (movie_id, captured_at, source_url):
        # Rotten Tomatoes' own numbers for the title as one fetched page stated them; the
        # movie's columns first, as in MOVIES_SCHEMA, so its movies join dim_movies
        **MOVIES_SCHEMA,
        "captured_at": pl.Datetime("us", "UTC"),  # the page's fetched_at
        "source_url": pl.String(),
        "tomatometer": pl.Int32(),  # percent, 0..100
        "tomatometer_sentiment": pl.String(),  # lower case: "positive" / "negative"
        "certified_fresh": pl.Boolean(),
        "critic_review_count": pl.Int32(),
        "critic_liked": pl.Int32(),
        "critic_not_liked": pl.Int32(),
        "critic_average_rating": pl.Float64(),  # out of 10
        "top_critics_tomatometer": pl.Int32(),  # percent, 0..100
        "popcornmeter": pl.Int32(),  # percent, 0..100
        "popcornmeter_certified": pl.Boolean(),
        "audience_rating_count": pl.String(),  # digits ("12345") or RT's band ("250,000+ Ratings")
    }
)

# The columns of `movie_score_snapshots` that come from the transform (the table adds
# run_id and loaded_at); the movie's descriptive columns go to dim_movies.
SCORE_SNAPSHOT_COLUMNS: tuple[str, ...] = (
    "movie_id",
    "captured_at",
    "source_url",
    "tomatometer",
    "tomatometer_sentiment",
    "certified_fresh",
    "critic_review_count",
    "critic_liked",
    "critic_not_liked",
    "critic_average_rating",
    "top_critics_tomatometer",
    "popcornmeter",
    "popcornmeter_certified",
    "audience_rating_count",
)

QUARANTINE_SCHEMA: pl.Schema = pl.Schema(
    {
        # grain: one row per rejected page or review row
        "run_id": pl.String(),
        "source_url": pl.String(),
        "stage": pl.String(),  # fetch | parse | transform | validate | load
        "reason": pl.String(),
        "layout": pl.String(),
        "review_id": pl.String(),
        "record": pl.String(),  # JSON of the offending page facts or row
        "quarantined_at": pl.Datetime("us", "UTC"),
    }
)

VALIDATION_RESULTS_SCHEMA: pl.Schema = pl.Schema(
    {
        # grain: one row per expectation evaluated in a run
        "run_id": pl.String(),
        "suite": pl.String(),
        "expectation": pl.String(),
        "column_name": pl.String(),
        "tier": pl.String(),  # row | batch | warning
        "severity": pl.String(),
        "success": pl.Boolean(),
        "observed_value": pl.String(),  # JSON
        "unexpected_count": pl.Int64(),
        "element_count": pl.Int64(),
        "reason": pl.String(),
        "validated_at": pl.Datetime("us", "UTC"),
    }
)

PAGE_FACTS_SCHEMA: pl.Schema = pl.Schema(
    {
        # grain: one row per page read in a run (what the `pages` table records)
        "url": pl.String(),
        "content_hash": pl.String(),
        "body_path": pl.String(),
        "source_kind": pl.String(),  # web | file | dataset
        "byte_size": pl.Int64(),
        "file_mtime_ns": pl.Int64(),
        "layout": pl.String(),
        "reviews_parsed": pl.Int32(),
        "fetched_at": pl.Datetime("us", "UTC"),
    }
)

WEB_FACTS_SCHEMA: pl.Schema = pl.Schema(
    {
        # grain: one row per URL fetched without error in a run (304s included)
        "url": pl.String(),
        "content_hash": pl.String(),
        "body_path": pl.String(),
        "http_status": pl.Int32(),
        "content_type": pl.String(),
        "etag": pl.String(),
        "last_modified": pl.String(),
        "headers": pl.String(),  # JSON
        "byte_size": pl.Int64(),
        "fetched_at": pl.Datetime("us", "UTC"),
        "links": pl.List(pl.String()),  # links to the page's other pages, as found
        "start_url": pl.String(),  # the URL whose crawl led to the page
    }
)

PAGES_SEEN_SCHEMA: pl.Schema = pl.Schema(
    {
        # grain: one row per page read or checked in a run; merged into `pages`
        **PAGE_FACTS_SCHEMA,
        "http_status": pl.Int32(),
        "content_type": pl.String(),
        "etag": pl.String(),
        "last_modified": pl.String(),
        "headers": pl.String(),  # JSON
        "links": pl.List(pl.String()),
        "start_url": pl.String(),
        "last_seen_at": pl.Datetime("us", "UTC"),
    }
)
