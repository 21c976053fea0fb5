"""Raw parsed records -> typed, normalised, keyed and de-duplicated reviews.

Pure functions, frame in and frame out, written as Polars expressions.
"""

from __future__ import annotations

import polars as pl

from transforms.dates import with_review_date
from transforms.distinct import on_distinct
from transforms.keys import stable_id, with_ids
from transforms.movies import key_movies
from transforms.schema import CRITICS_SCHEMA, MOVIES_SCHEMA, PUBLICATIONS_SCHEMA, REVIEWS_SCHEMA
from transforms.scores import SCORE_COLUMNS, normalize_scores
from transforms.text import (
    clean_quotes,
    name_key,
    quote_head_letters,
    quote_key,
    quote_key_from_head,
    tidy_text,
)

# How pages state the critic's call. Fresh/rotten is never derived from the score.
_SENTIMENTS: dict[str, bool] = {
    **dict.fromkeys(["fresh", "certified_fresh", "certified-fresh", "positive", "1", "+1"], True),
    **dict.fromkeys(["rotten", "negative", "-1"], False),
}


def clean_reviews(raw: pl.DataFrame) -> pl.DataFrame:
    """Cast and tidy the review's own columns: score, date, quote, flag, links.

    Scores, dates and flags repeat, so they are worked out once per distinct value and
    joined back; only the quote is cleaned row by row.
    """
    frame = normalize_scores(clean_quotes(raw))
    frame = on_distinct(with_review_date(frame), ["sentiment"], _freshness)
    return frame.with_columns(pl.col(url).str.strip_chars() for url in _URLS)


_URLS = ("critic_url", "publication_url", "review_url")


def _freshness(distinct: pl.DataFrame) -> pl.DataFrame:
    return distinct.with_columns(
        pl.col("sentiment")
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(_SENTIMENTS, default=None, return_dtype=pl.Boolean)
        .alias("is_fresh")
    )


def key_reviews(cleaned: pl.DataFrame) -> pl.DataFrame:
    """Who and what each review is about, with natural keys and the stable ids from them.

    Movies are keyed by `transforms.movies.key_movies`. A review is the same review when
    movie, critic (or, without a critic, publication), date and quote agree, whichever page
    or layout it was read from; today's RT layouts (`UNDATED_KEY_LAYOUTS`) leave the date
    out. Critics and publications are worked out once per distinct name.
    """
    keyed = key_movies(cleaned)
    keyed = on_distinct(keyed, ["critic_name"], lambda distinct: _named(distinct, "critic"))
    keyed = on_distinct(keyed, ["publication"], lambda distinct: _named(distinct, "publication"))
    keyed = keyed.drop("critic_name").rename(
        {"_critic_name": "critic_name", "_publication_name": "publication_name"}
    )
    head, short = quote_key_from_head(pl.col("quote"), pl.col("_quote_head"))
    # Row-wise string work and hashing on every review: the streaming engine spreads them
    # over all cores.
    natural = (
        keyed.lazy()
        .with_columns(quote_head_letters(pl.col("quote")).alias("_quote_head"))
        .select(stable_id(review_key(head)).alias("review_id"), short.alias("short"))
        .collect(engine="streaming")
    )
    review_ids = natural.get_column("review_id")
    if natural.get_column("short").any():  # mostly punctuation: keyed from the whole quote
        rows = natural.get_column("short").arg_true()
        whole = keyed[rows].select(stable_id(review_key(quote_key(pl.col("quote"))))).to_series()
        review_ids = review_ids.scatter(rows, whole)
    # The streaming engine answers in chunks of its own; in one chunk, like the rest of the
    # frame, the ids are faster to de-duplicate and join on.
    return keyed.with_columns(review_ids.rechunk())


# Layouts whose dates are only as precise as "3d" (today's RT review cards) or that are
# read beside them (RT's current API): a review read from a card and from the API must get
# one key, so the date stays out of theirs. Other layouts keep the date: warehouses hold
# review_ids made from it.
UNDATED_KEY_LAYOUTS: tuple[str, ...] = ("rt_review_card", "rt_api")


def review_key(quote_key: pl.Expr) -> pl.Expr:
    """The natural key of a review, `movie|who|date|quote`: the movie's key, `critic:<key>`
    (or, without a critic, `publication:<key>`), the date (`review_date` as ISO, else
    `date_raw`; empty for `UNDATED_KEY_LAYOUTS`) and the quote's key
    (`transforms.text.quote_key`). `review_id` is `md5(key)[:16]`."""
    date = pl.col("review_date").cast(pl.String).fill_null(pl.col("date_raw")).fill_null("")
    return pl.concat_str(
        pl.col("movie_key").fill_null(""),
        pl.coalesce(
            pl.concat_str(pl.lit("critic:"), pl.col("critic_key")),
            pl.concat_str(pl.lit("publication:"), pl.col("publication_key")),
        ).fill_null(""),
        pl.when(pl.col("source_layout").is_in(UNDATED_KEY_LAYOUTS))
        .then(pl.lit(""))
        .otherwise(date),
        quote_key.fill_null(""),
        separator="|",
    )


def _named(distinct: pl.DataFrame, entity: str) -> pl.DataFrame:
    """A critic or publication: display name tidied, key case-folded, id hashed."""
    source = "critic_name" if entity == "critic" else "publication"
    display = f"_{entity}_name"
    keyed = tidy_text(distinct, {display: source}).with_columns(
        name_key(pl.col(display)).alias(f"{entity}_key")
    )
    natural = pl.concat_str(pl.lit(f"{entity}|"), pl.col(f"{entity}_key"))
    return with_ids(keyed, {f"{entity}_id": natural})


# Sightings from these layouts win over all others, in this order, whatever they lack: RT's
# API states an ISO date, its own review id and the critic's page where a card shows "3d".
# Sightings from other layouts follow, the most complete first.
SOURCE_PREFERENCE: tuple[str, ...] = ("rt_api",)
# Columns that describe one thing together and are taken together from one sighting, so a
# merged row never pairs one page's score text with another's parsed value.
_SCORE_COLUMNS = ("score_raw", *SCORE_COLUMNS)
_DATE_COLUMNS = ("review_date", "date_raw")
_TITLE_COLUMNS = ("movie_title", "movie_title_source")
_PROVENANCE_COLUMNS = ("source_url", "source_layout", "page_number", "record_number", "fetched_at")


def deduplicate(reviews: pl.DataFrame) -> pl.DataFrame:
    """One row per `review_id`, sightings of the same review merged.

    Sightings are ranked by source (`SOURCE_PREFERENCE`: RT's API before a review card),
    then by completeness; every column takes the first ranked sighting's value, later ones
    only filling its gaps (a score found on one page fills the gap left by another). The
    score's columns come together from the first sighting that states a score, the date's
    from the first with a date, the movie title from the first that states one, and the
    page's (URL, layout, page, fetch time) from the first sighting.
    """
    if reviews.get_column("review_id").n_unique() == reviews.height:
        return reviews
    duplicated = pl.col("review_id").is_duplicated()
    singles = reviews.filter(~duplicated)
    repeats = reviews.filter(duplicated)
    if repeats.is_empty():
        return reviews
    source_rank = pl.col("source_layout").replace_strict(
        {layout: rank for rank, layout in enumerate(SOURCE_PREFERENCE)},
        default=len(SOURCE_PREFERENCE),
        return_dtype=pl.Int32,
    )
    completeness = pl.sum_horizontal(
        pl.col("score_status") == "ok",
        pl.col("critic_name").is_not_null(),
        pl.col("is_fresh").is_not_null(),
        pl.col("review_url").is_not_null(),
        pl.col("publication_name").is_not_null(),
    )
    together = {
        **dict.fromkeys(_SCORE_COLUMNS, pl.col("score_raw").is_null()),
        **dict.fromkeys(_DATE_COLUMNS, pl.col("review_date").is_null()),
        # as in movies_of: a title a page stated beats one made from the slug
        **dict.fromkeys(_TITLE_COLUMNS, (pl.col("movie_title_source") != "stated").fill_null(True)),
        **dict.fromkeys(_PROVENANCE_COLUMNS, pl.lit(False)),
    }
    merged = (
        repeats.sort([source_rank, completeness], descending=[False, True], maintain_order=True)
        .group_by("review_id", maintain_order=True)
        .agg(
            pl.col(name).sort_by(together[name], maintain_order=True).first()
            if name in together
            else pl.col(name).drop_nulls().first()
            for name in reviews.columns
            if name != "review_id"
        )
    )
    return pl.concat([singles, merged.select(reviews.columns)], how="vertical")


def repeated_review_ids(reviews: pl.LazyFrame) -> pl.Series:
    """The ids of the reviews seen more than once in `reviews` (only the ids are read)."""
    return (
        reviews.select("review_id")
        .filter(pl.col("review_id").is_duplicated())
        .unique()
        .collect()
        .get_column("review_id")
    )


def deduplicate_lazy(reviews: pl.LazyFrame, repeated: pl.Series | None = None) -> pl.LazyFrame:
    """`deduplicate` for a run's reviews, read lazily from their batch files: only the
    `repeated` ones (default: `repeated_review_ids`) are collected to be merged."""
    if repeated is None:
        repeated = repeated_review_ids(reviews)
    if repeated.is_empty():
        return reviews
    is_repeated = pl.col("review_id").is_in(repeated.implode())
    merged = deduplicate(reviews.filter(is_repeated).collect())
    return pl.concat([reviews.filter(~is_repeated), merged.lazy()], how="vertical")


def normalize_reviews(raw: pl.DataFrame) -> pl.DataFrame:
    """The whole review transform: clean, key, de-duplicate, in the declared schema."""
    reviews = deduplicate(key_reviews(clean_reviews(raw)))
    return reviews.select(pl.col(name).cast(dtype) for name, dtype in REVIEWS_SCHEMA.items())


def movies_of(reviews: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """One row per movie. A title stated on a page wins over one made from the slug."""
    stated_first = pl.col("movie_title_source") != "stated"
    return (
        reviews.lazy()
        .select(MOVIES_SCHEMA.names())  # before anything else: a review row carries its quote
        .filter(pl.col("movie_id").is_not_null())
        .sort(stated_first, maintain_order=True)
        .group_by("movie_id", maintain_order=True)
        .agg(pl.exclude("movie_id").drop_nulls().first())
        .select(MOVIES_SCHEMA.names())
        .cast(dict(MOVIES_SCHEMA))
        .collect()
    )


def critics_of(reviews: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """One row per critic, with the spelling seen most often as the display name."""
    return _dimension(reviews, "critic_id", "critic_name", "critic_url", CRITICS_SCHEMA)


def publications_of(reviews: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """One row per publication, with the spelling seen most often as the display name."""
    return _dimension(
        reviews, "publication_id", "publication_name", "publication_url", PUBLICATIONS_SCHEMA
    )


def _dimension(
    reviews: pl.DataFrame | pl.LazyFrame,
    id_column: str,
    name_column: str,
    url_column: str,
    schema: pl.Schema,
) -> pl.DataFrame:
    key_column = schema.names()[1]
    return (
        reviews.lazy()
        .select(id_column, key_column, name_column, url_column)
        .filter(pl.col(id_column).is_not_null())
        .group_by(id_column, maintain_order=True)
        .agg(
            pl.col(key_column).first(),
            pl.col(name_column).drop_nulls().mode().sort().first(),
            pl.col(url_column).drop_nulls().first(),
        )
        .select(schema.names())
        .cast(dict(schema))
        .collect()
    )
