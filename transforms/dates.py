"""Review dates, in every spelling pages use, to `DATE`.

Absolute forms: `January 11, 2007`, `Jan 11, 2007`, `Sept. 5, 2010`, `11 January 2007`,
`2007-01-11`, ISO timestamps with an offset (the date is taken as written, in the writer's
own time zone) and US `01/11/2007`. Forms resolved against the time the page was fetched
(`fetched_at`, UTC; for a saved file, its modification time):

* relative: `3 days ago`, `2d`, `5m` (minutes), `2h`, `5min`, `2hrs`, `3days`, `5 mins`,
  `yesterday` -- the date that long before the fetch;
* a month and day without a year, as today's Rotten Tomatoes writes dates earlier in the
  year (`Mar 20`, `March 20`): in the fetch's year, or in the year before when that month
  and day come after the fetch's (`Dec 28` fetched in April 2026 is 2025-12-28). The year is
  chosen first; a day the chosen year does not have (`Feb 29` in 2026) gives NULL rather
  than a guessed year.

A string that names no real day (`February 30, 2009`) gives NULL; validation turns that
into a quarantined row.
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
_MONTH_DAY = r"^[A-Za-z]{3,9} \d{1,2}$"  # in canonical text: `Mar 20`, `March 20`
_MONTH_DAY_FORMAT = "%B %d, %Y"  # chrono's %B also reads `Mar`


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


def month_day_date(raw: pl.Expr, fetched_at: pl.Expr) -> pl.Expr:
    """`Mar 20`, `March 20`: that day in the year of `fetched_at`, or in the year before
    when that month and day come after the fetch's; NULL when the chosen year has no such
    day (`Feb 29` outside leap years) or `raw` is not a month and day."""
    text = canonical_date_text(raw)
    month_day = pl.when(text.str.contains(_MONTH_DAY)).then(text)
    # Read in a leap year, every real month and day exists; only month and day are used.
    read = pl.concat_str(month_day, pl.lit(", 2000")).str.strptime(
        pl.Date, _MONTH_DAY_FORMAT, strict=False
    )
    fetch_day = fetched_at.dt.date()
    after_fetch_day = _month_and_day(read) > _month_and_day(fetch_day)
    year = fetch_day.dt.year().cast(pl.Int32) - after_fetch_day.cast(pl.Int32)
    return pl.concat_str(month_day, pl.lit(", "), year.cast(pl.String)).str.strptime(
        pl.Date, _MONTH_DAY_FORMAT, strict=False
    )


def _month_and_day(day: pl.Expr) -> pl.Expr:
    """`month * 100 + day`, which orders days within a year."""
    return day.dt.month().cast(pl.Int32) * 100 + day.dt.day().cast(pl.Int32)


def dated_from_fetch(raw: pl.Expr, fetched_at: pl.Expr) -> pl.Expr:
    """The date of the forms read against the fetch time: relative, or month and day."""
    return pl.coalesce(relative_date(raw, fetched_at), month_day_date(raw, fetched_at))


def review_date(raw: str = "date_raw", fetched_at: str = "fetched_at") -> pl.Expr:
    """The review date as `pl.Date`, NULL where `raw` names no real day (row by row)."""
    return pl.coalesce(
        absolute_date(pl.col(raw)), dated_from_fetch(pl.col(raw), pl.col(fetched_at))
    ).alias("review_date")


def with_review_date(
    frame: pl.DataFrame, raw: str = "date_raw", fetched_at: str = "fetched_at"
) -> pl.DataFrame:
    """`frame` with `review_date`, the same values as `review_date()` computed fast:
    absolute dates once per distinct string; the forms read against the fetch time (`2d`,
    `Mar 20`) once per distinct (string, fetch time), and only for the rows that hold one."""
    dated = on_distinct(
        frame,
        [raw],
        lambda distinct: _absolute_dates(distinct, raw).with_columns(
            _needs_fetch_time(raw).alias("_needs_fetch_time")
        ),
    )
    needs_fetch_time = dated.get_column("_needs_fetch_time")
    dated = dated.drop("_needs_fetch_time")
    if not needs_fetch_time.any():
        return dated
    rows = needs_fetch_time.arg_true()
    resolved = on_distinct(
        dated[rows].select(raw, fetched_at),
        [raw, fetched_at],
        lambda distinct: distinct.with_columns(
            dated_from_fetch(pl.col(raw), pl.col(fetched_at)).alias("review_date")
        ),
    ).get_column("review_date")
    return dated.with_columns(dated.get_column("review_date").clone().scatter(rows, resolved))


def _needs_fetch_time(raw: str) -> pl.Expr:
    """Whether a distinct string, unread on its own, may be a form read against the fetch
    time (the regexes here are loose; the readings themselves decide)."""
    return pl.col("review_date").is_null() & (
        pl.col(raw).str.contains(_LOOKS_RELATIVE)
        | canonical_date_text(pl.col(raw)).str.contains(_MONTH_DAY)
    )
