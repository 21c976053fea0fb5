"""Review dates, in every spelling pages use, to `DATE`.

Absolute forms: `January 11, 2007`, `Jan 11, 2007`, `Sept. 5, 2010`, `11 January 2007`,
`2007-01-11`, ISO timestamps with an offset (the date is taken as written, in the writer's
own time zone) and US `01/11/2007`. Relative forms (`3 days ago`, `2d`, `yesterday`) are
resolved against the time the page was fetched. A string that names no real day
(`February 30, 2009`) gives NULL; validation turns that into a quarantined row.
"""

from __future__ import annotations

import polars as pl

from transforms.distinct import on_distinct

_ABSOLUTE_FORMATS: tuple[str, ...] = (
    "%B %d, %Y",  # chrono's %B also accepts abbreviated month names
    "%B %d %Y",
    "%d %B %Y",
    "%d %B, %Y",
    "%Y-%m-%d",
    "%m/%d/%Y",
)
_ISO_PREFIX = r"^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$"
_RELATIVE = (
    r"^(\d+)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?"
    r"|mo|mos|months?|y|yrs?|years?)(?:\s+ago)?$"
)
# Units as Polars duration strings; months and years are calendar offsets, not days.
_UNIT_CODES: dict[str, str] = {
    **dict.fromkeys(["s", "sec", "secs", "second", "seconds"], "s"),
    **dict.fromkeys(["m", "min", "mins", "minute", "minutes"], "m"),
    **dict.fromkeys(["h", "hr", "hrs", "hour", "hours"], "h"),
    **dict.fromkeys(["d", "day", "days"], "d"),
    **dict.fromkeys(["w", "wk", "wks", "week", "weeks"], "w"),
    **dict.fromkeys(["mo", "mos", "month", "months"], "mo"),
    **dict.fromkeys(["y", "yr", "yrs", "year", "years"], "y"),
}
_NAMED_DAYS: dict[str, str] = {"today": "0d", "just now": "0d", "now": "0d", "yesterday": "1d"}
_LOOKS_RELATIVE = r"(?i)^\s*(?:\d+\s*[a-z]+(?:\s+ago)?|today|yesterday|just now|now)\s*$"


def canonical_date_text(raw: pl.Expr) -> pl.Expr:
    """Whitespace collapsed, `Sept.` -> `Sep`, ordinals (`1st`) -> numbers."""
    return (
        raw.str.strip_chars()
        .str.replace_all(r"\s+", " ")
        .str.replace(r"(?i)^sept\b", "Sep")
        .str.replace(r"^([A-Za-z]{3,9})\.", "${1}")
        .str.replace(r"(\d{1,2})(?:st|nd|rd|th)\b", "${1}")
    )


def absolute_date(raw: pl.Expr) -> pl.Expr:
    """The date a string names on its own (no reference time needed)."""
    return pl.coalesce(_readings(canonical_date_text(raw)))


def _readings(text: pl.Expr) -> list[pl.Expr]:
    """Each way of reading a canonical date string, in order of preference."""
    return [
        text.str.extract(_ISO_PREFIX, 1).str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        *(text.str.strptime(pl.Date, fmt, strict=False) for fmt in _ABSOLUTE_FORMATS),
    ]


def _absolute_dates(distinct: pl.DataFrame, raw: str) -> pl.DataFrame:
    """`distinct` with `review_date` = `absolute_date(raw)`, each reading tried only on the
    strings the ones before it could not read: most strings are read by the first two."""
    unread = distinct.with_columns(canonical_date_text(pl.col(raw)).alias("_text"))
    read = []
    for reading in _readings(pl.col("_text")):
        tried = unread.with_columns(reading.alias("review_date"))
        read.append(tried.filter(pl.col("review_date").is_not_null()))
        unread = tried.filter(pl.col("review_date").is_null()).drop("review_date")
    unread = unread.with_columns(pl.lit(None, pl.Date).alias("review_date"))
    return pl.concat([*read, unread]).drop("_text")


def relative_date(raw: pl.Expr, fetched_at: pl.Expr) -> pl.Expr:
    """`3 days ago`, `2d`, `yesterday`: the date that long before `fetched_at`."""
    lowered = canonical_date_text(raw).str.to_lowercase()
    relative = lowered.str.extract_groups(_RELATIVE)
    unit_code = relative.struct.field("2").replace_strict(
        _UNIT_CODES, default=None, return_dtype=pl.String
    )
    offset = pl.coalesce(
        pl.concat_str(pl.lit("-"), relative.struct.field("1"), unit_code),
        pl.concat_str(
            pl.lit("-"),
            lowered.replace_strict(_NAMED_DAYS, default=None, return_dtype=pl.String),
        ),
    )
    return fetched_at.dt.offset_by(offset).dt.date()


def review_date(raw: str = "date_raw", fetched_at: str = "fetched_at") -> pl.Expr:
    """The review date as `pl.Date`, NULL where `raw` names no real day (row by row)."""
    return pl.coalesce(
        absolute_date(pl.col(raw)), relative_date(pl.col(raw), pl.col(fetched_at))
    ).alias("review_date")


def with_review_date(
    frame: pl.DataFrame, raw: str = "date_raw", fetched_at: str = "fetched_at"
) -> pl.DataFrame:
    """`frame` with `review_date`, the same values as `review_date()` computed fast: absolute
    dates once per distinct string, relative ones only when the batch has any."""
    dated = on_distinct(
        frame,
        [raw],
        lambda distinct: _absolute_dates(distinct, raw).with_columns(
            _maybe_relative(raw).alias("_maybe_relative")
        ),
    )
    if dated.get_column("_maybe_relative").any():
        dated = dated.with_columns(
            pl.when(pl.col("_maybe_relative"))
            .then(relative_date(pl.col(raw), pl.col(fetched_at)))
            .otherwise(pl.col("review_date"))
            .alias("review_date")
        )
    return dated.drop("_maybe_relative")


def _maybe_relative(raw: str) -> pl.Expr:
    return pl.col("review_date").is_null() & pl.col(raw).str.contains(_LOOKS_RELATIVE)
