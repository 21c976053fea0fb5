"""Which movie a row is about: the one place movie keys and ids are made.

Reviews and RT's own scorecards both go through `key_movies`, so a score snapshot and the
reviews read from the same page name the same `movie_id` and join.

A movie is keyed by its RT slug where known (stated by the page, else read off the page
URL with `parsers.urls.RT_SLUG_PATTERNS`: `the_matrix`, or `tv/<show>/s01` for a TV
season), else by its normalised title (+ year), else by an external id such as RT's emsId
(`movie_ref`: an API page names no slug or title). `movie_id` is `md5(movie_key)[:16]`.
"""

from __future__ import annotations

import polars as pl

from parsers.urls import RT_SLUG_PATTERNS
from transforms.distinct import on_runs
from transforms.keys import with_ids
from transforms.text import name_key, tidy_text, title_from_slug

# The raw columns a movie is worked out from, as in `parsers.records.RAW_SCHEMA`.
MOVIE_SOURCE_COLUMNS: tuple[str, ...] = (
    "movie_slug",
    "source_url",
    "movie_title",
    "movie_year",
    "movie_ref",
)


def slug_in_url(url: pl.Expr) -> pl.Expr:
    """The RT slug a URL names, lower-cased: the first of `parsers.urls.RT_SLUG_PATTERNS`
    that matches, as `parsers.urls.movie_slug` reads it.

    >>> pl.select(slug_in_url(pl.lit("https://x/tv/Severance/s02/reviews"))).item()
    'tv/severance/s02'
    """
    return pl.coalesce(
        url.str.extract(pattern, 1) for pattern in RT_SLUG_PATTERNS
    ).str.to_lowercase()


def key_movies(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` (with `MOVIE_SOURCE_COLUMNS`) with `movie_slug` and `movie_title` replaced by
    their clean forms and `movie_title_source`, `movie_key`, `movie_id` added.

    A page's rows are consecutive and name one movie, so the work is done once per run of
    equal rows. `movie_title_source` is `stated` (the page gave it) or `slug` (made from the
    slug); NULL when there is neither.
    """
    keyed = on_runs(frame, list(MOVIE_SOURCE_COLUMNS), _movie)
    return keyed.drop("movie_slug", "movie_title").rename(
        {"_movie_slug": "movie_slug", "_movie_title": "movie_title"}
    )


def _movie(distinct: pl.DataFrame) -> pl.DataFrame:
    """The RT slug (stated, else read off the page URL), a title (stated, else made from the
    slug) and the movie's key and id."""
    slug = pl.coalesce(
        pl.col("movie_slug").str.strip_chars().str.to_lowercase(),
        slug_in_url(pl.col("source_url")),
    )
    stated = tidy_text(distinct, {"_stated_title": "movie_title"}).with_columns(
        slug.alias("_movie_slug")
    )
    movie_key = pl.coalesce(
        pl.concat_str(pl.lit("slug:"), pl.col("_movie_slug")),
        pl.concat_str(
            pl.lit("title:"),
            name_key(pl.col("_stated_title")),
            pl.concat_str(pl.lit(":"), pl.col("movie_year").cast(pl.String)).fill_null(""),
        ),
        pl.col("movie_ref"),
    )
    named = stated.with_columns(
        pl.coalesce(pl.col("_stated_title"), title_from_slug(pl.col("_movie_slug"))).alias(
            "_movie_title"
        ),
        pl.when(pl.col("_stated_title").is_not_null())
        .then(pl.lit("stated"))
        .when(pl.col("_movie_slug").is_not_null())
        .then(pl.lit("slug"))
        .alias("movie_title_source"),
        movie_key.alias("movie_key"),
    ).drop("_stated_title")
    return with_ids(named, {"movie_id": pl.col("movie_key")})
