"""Review datasets in CSV: the Kaggle "Rotten Tomatoes movies and critic reviews" dump and
scraped files with the same or similar columns.

The mapping is pure (lazy frame in, lazy frame in `RAW_SCHEMA` out) and the reading is
Polars' streaming CSV reader, so a million-row file is never handled row by row in Python.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from parsers.records import RAW_SCHEMA

LAYOUT = "kaggle_csv"

# raw record field -> the column names datasets use for it, in order of preference
_ALIASES: dict[str, tuple[str, ...]] = {
    "movie_slug": ("rotten_tomatoes_link", "movie_link", "link", "slug"),
    "movie_title": ("movie_title", "movie", "title", "movie_name"),
    "critic_name": ("critic_name", "reviewer", "critic"),
    "publication": ("publisher_name", "publication", "publisher"),
    "is_top_critic": ("top_critic", "is_top_critic"),
    "sentiment": ("review_type", "fresh_rotten", "sentiment"),
    "score_raw": ("review_score", "score", "original_score"),
    "date_raw": ("review_date", "date", "creation_date"),
    "quote_raw": ("review_content", "review_text", "quote", "content"),
    "review_url": ("review_url", "url", "link_to_review"),
}
_REVIEW_MARKERS = {"review_content", "review_text", "quote"}
_TRUE = ("true", "t", "1", "yes", "y")


@dataclass(frozen=True, slots=True)
class DatasetKind:
    kind: str  # "reviews" | "movies"
    columns: tuple[str, ...]


def sniff(header: list[str]) -> DatasetKind | None:
    """What a CSV holds, from its header: critic reviews, a movies table, or neither."""
    columns = tuple(name.strip().lower() for name in header)
    if _REVIEW_MARKERS & set(columns) and _find(columns, "quote_raw"):
        return DatasetKind("reviews", columns)
    if "rotten_tomatoes_link" in columns and "movie_title" in columns:
        return DatasetKind("movies", columns)
    return None


def raw_reviews(
    frame: pl.LazyFrame | pl.DataFrame,
    columns: tuple[str, ...],
    *,
    source_url: str,
    fetched_at: datetime,
    first_row: int = 1,
) -> pl.LazyFrame:
    """A dataset's rows as raw review records. `first_row` numbers rows in `source_url#row=N`."""
    lazy = frame.lazy().rename({name: name.strip().lower() for name in frame.collect_schema()})
    fields = {field: _find(columns, field) for field in _ALIASES}
    slug = _column(fields["movie_slug"]).str.strip_chars().str.replace(r"^/?m/", "")
    row = pl.int_range(pl.len(), dtype=pl.Int64) + first_row
    return lazy.select(
        pl.concat_str(pl.lit(f"{source_url}#row="), row.cast(pl.String)).alias("source_url"),
        pl.lit(LAYOUT).alias("source_layout"),
        pl.lit(None, pl.Int32).alias("page_number"),
        row.cast(pl.Int32).alias("record_number"),
        pl.lit(fetched_at).cast(pl.Datetime("us", "UTC")).alias("fetched_at"),
        _column(fields["movie_title"]).alias("movie_title"),
        pl.when(slug.str.len_chars() > 0).then(slug.str.to_lowercase()).alias("movie_slug"),
        pl.lit(None, pl.Int32).alias("movie_year"),
        pl.lit(None, pl.String).alias("movie_ref"),
        _column(fields["critic_name"]).alias("critic_name"),
        pl.lit(None, pl.String).alias("critic_url"),
        _column(fields["publication"]).alias("publication"),
        pl.lit(None, pl.String).alias("publication_url"),
        _column(fields["is_top_critic"])
        .str.strip_chars()
        .str.to_lowercase()
        .is_in(_TRUE)
        .alias("is_top_critic"),
        _column(fields["sentiment"]).alias("sentiment"),
        _column(fields["score_raw"]).alias("score_raw"),
        _column(fields["date_raw"]).alias("date_raw"),
        _column(fields["quote_raw"]).alias("quote_raw"),
        _column(fields["review_url"]).alias("review_url"),
        pl.lit(None, pl.String).alias("source_review_id"),
    ).cast(dict(RAW_SCHEMA))


def movies_lookup(frame: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """The companion `rotten_tomatoes_movies.csv`: slug -> title and year."""
    lazy = frame.lazy().rename({name: name.strip().lower() for name in frame.collect_schema()})
    names = set(lazy.collect_schema().names())
    release = next((n for n in ("original_release_date", "release_date") if n in names), None)
    year = (
        pl.col(release).str.extract(r"((?:18|19|20)\d{2})", 1).cast(pl.Int32)
        if release
        else pl.lit(None, pl.Int32)
    )
    return lazy.select(
        pl.col("rotten_tomatoes_link")
        .str.strip_chars()
        .str.replace(r"^/?m/", "")
        .str.to_lowercase()
        .alias("movie_slug"),
        pl.col("movie_title").str.strip_chars().alias("dataset_title"),
        year.alias("dataset_year"),
    ).unique("movie_slug", keep="first")


def with_movie_titles(raw: pl.DataFrame, movies: pl.DataFrame | None) -> pl.DataFrame:
    """Fill titles and years from a movies table where the review rows lack them."""
    if movies is None or movies.is_empty():
        return raw
    return (
        raw.join(movies, on="movie_slug", how="left")
        .with_columns(
            pl.coalesce("movie_title", "dataset_title").alias("movie_title"),
            pl.coalesce("movie_year", "dataset_year").alias("movie_year"),
        )
        .select(RAW_SCHEMA.names())
    )


def complete_prefix(buffer: bytes | mmap.mmap, chunk: int = 1 << 26) -> int:
    """How many leading bytes of a CSV hold only complete records.

    A dump cut off inside a quoted field (the usual way a truncated review dump ends, as
    review text is quoted) keeps everything before that record; a record cut elsewhere
    reads with missing fields and is caught by validation. Quote parity is enough: RFC 4180
    escapes a quote inside a field by doubling it, which never changes the parity. Works on
    `bytes` or on an `mmap` of a large file, reading it in chunks.
    """
    size = len(buffer)
    if size == 0:
        return 0
    quotes = sum(buffer[start : start + chunk].count(b'"') for start in range(0, size, chunk))
    if quotes % 2 == 0:
        return size  # a missing final newline alone is common and harmless
    end, quotes_after = size, 0
    while (newline := buffer.rfind(b"\n", 0, end)) != -1:
        quotes_after += buffer[newline:end].count(b'"')
        if (quotes - quotes_after) % 2 == 0:
            return newline + 1
        end = newline
    return 0


def _find(columns: tuple[str, ...], field: str) -> str | None:
    return next((name for name in _ALIASES[field] if name in columns), None)


def _column(name: str | None) -> pl.Expr:
    return pl.col(name).cast(pl.String) if name else pl.lit(None, pl.String)
