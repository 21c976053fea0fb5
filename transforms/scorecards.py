"""Rotten Tomatoes' own numbers for a title (Tomatometer, Popcornmeter, counts) -> typed
score snapshots, one per movie per capture.

Input: `parsers.records.RAW_SCORECARD_SCHEMA`, every value as the page wrote it. Output:
`transforms.schema.SCORE_SNAPSHOTS_SCHEMA`. Numbers may carry thousands separators
(`1,234`) and percentages a `%`; a value that is not a number, or a percentage outside
0..100, gives NULL rather than a guess. Flags are `true`/`false` (or `1`/`0`) in any case.
`audience_rating_count` is digits when RT states a count and RT's banded text otherwise
(`250,000+ Ratings`), trimmed. The movie is keyed by `transforms.movies.key_movies`, as
reviews are, so a snapshot joins the reviews read from the same page.
"""

from __future__ import annotations

import polars as pl

from transforms.movies import key_movies
from transforms.schema import SCORE_SNAPSHOTS_SCHEMA

_COUNT = r"^(?:\d{1,3}(?:,\d{3})+|\d+)$"  # 1234 or 1,234
_DECIMAL = r"^\d+(?:\.\d+)?$"
_FLAGS: dict[str, bool] = {"true": True, "1": True, "false": False, "0": False}
_PERCENT_COLUMNS = ("tomatometer", "top_critics_tomatometer", "popcornmeter")
_COUNT_COLUMNS = ("critic_review_count", "critic_liked", "critic_not_liked")
_FLAG_COLUMNS = ("certified_fresh", "popcornmeter_certified")
# The grain: a page fetched once states one scorecard for one movie.
SNAPSHOT_KEY: tuple[str, ...] = ("movie_id", "captured_at", "source_url")


def normalize_scorecards(raw: pl.DataFrame) -> pl.DataFrame:
    """Raw scorecards -> one typed snapshot per (movie_id, captured_at, source_url).

    Repeats of a capture (the same page read twice in a batch) are dropped, the first kept.

    >>> from datetime import UTC, datetime
    >>> from parsers.records import RAW_SCORECARD_SCHEMA
    >>> raw = pl.DataFrame(
    ...     [{"source_url": "https://www.rottentomatoes.com/m/the_matrix",
    ...       "fetched_at": datetime(2026, 4, 10, tzinfo=UTC), "tomatometer": "83",
    ...       "critic_review_count": "1,234", "audience_rating_count": "250,000+ Ratings"}],
    ...     schema=RAW_SCORECARD_SCHEMA,
    ... )
    >>> normalize_scorecards(raw).select(
    ...     "movie_key", "tomatometer", "critic_review_count", "audience_rating_count").row(0)
    ('slug:the_matrix', 83, 1234, '250,000+ Ratings')
    """
    typed = key_movies(raw).with_columns(
        pl.col("fetched_at").alias("captured_at"),
        *(percent(pl.col(name)).alias(name) for name in _PERCENT_COLUMNS),
        *(count(pl.col(name)).alias(name) for name in _COUNT_COLUMNS),
        *(flag(pl.col(name)).alias(name) for name in _FLAG_COLUMNS),
        decimal(pl.col("critic_average_rating")).alias("critic_average_rating"),
        _trimmed(pl.col("tomatometer_sentiment")).str.to_lowercase().alias("tomatometer_sentiment"),
        rating_count(pl.col("audience_rating_count")).alias("audience_rating_count"),
    )
    return typed.select(
        pl.col(name).cast(dtype) for name, dtype in SCORE_SNAPSHOTS_SCHEMA.items()
    ).unique(list(SNAPSHOT_KEY), keep="first", maintain_order=True)


def _trimmed(text: pl.Expr) -> pl.Expr:
    """Whitespace runs made one space, ends trimmed; blank becomes NULL."""
    tidy = text.str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(tidy.str.len_bytes() > 0).then(tidy)


def count(text: pl.Expr) -> pl.Expr:
    """`1234` or `1,234` -> 1234 (Int32); anything else, or more than Int32 holds, NULL."""
    trimmed = text.str.strip_chars()
    digits = pl.when(trimmed.str.contains(_COUNT)).then(trimmed.str.replace_all(",", ""))
    return digits.cast(pl.Int32, strict=False)


def percent(text: pl.Expr) -> pl.Expr:
    """`93` or `93%` -> 93 (Int32); NULL when not a whole number in 0..100."""
    value = count(text.str.strip_chars().str.strip_suffix("%"))
    return pl.when(value <= 100).then(value)


def decimal(text: pl.Expr) -> pl.Expr:
    """`7.8` or `7` -> 7.8 (Float64); NULL when not a plain non-negative number."""
    trimmed = text.str.strip_chars()
    return pl.when(trimmed.str.contains(_DECIMAL)).then(trimmed).cast(pl.Float64, strict=False)


def flag(text: pl.Expr) -> pl.Expr:
    """`true`/`false`/`1`/`0` in any case -> Boolean; anything else NULL."""
    return (
        text.str.strip_chars()
        .str.to_lowercase()
        .replace_strict(_FLAGS, default=None, return_dtype=pl.Boolean)
    )


def rating_count(text: pl.Expr) -> pl.Expr:
    """A stated count as its digits (`12,345` -> `12345`), RT's band as written and
    trimmed (`250,000+ Ratings`), blank -> NULL. Kept as text: a band is not a number."""
    trimmed = _trimmed(text)
    return (
        pl.when(trimmed.str.contains(_COUNT))
        .then(trimmed.str.replace_all(",", ""))
        .otherwise(trimmed)
    )
