"""Every "original score" format onto one 0..1 scale, as Polars expressions.

Output columns, all derived from `score_raw` alone (so the step is idempotent):

| column             | meaning                                                            |
|--------------------|--------------------------------------------------------------------|
| `score_value`      | the number the critic gave (grade points for letters, see below)   |
| `score_scale`      | what that number is out of (the denominator, or 100 for letters)   |
| `score_normalized` | `score_value / score_scale` in 0..1, NULL unless status is `ok`    |
| `score_kind`       | `fraction`, `stars`, `stars_assumed`, `letter`, `percent`, `number`|
| `score_status`     | `ok`, `empty`, `unparsed`, `out_of_range`                          |

Letter grades use Metacritic's published conversion to a 100-point score (A- = 91, C = 50,
E counts as F), so `score_value` is that score and `score_scale` is 100. Star glyphs and
"3 stars" without a stated scale are out of 4 (out of 5 when five stars are shown): their
kind is `stars_assumed`. A bare number has no scale we could know, so it stays `unparsed`
with its value kept rather than be guessed.
"""

from __future__ import annotations

import polars as pl

from transforms.distinct import on_distinct

SCORE_KINDS: tuple[str, ...] = (
    "fraction",
    "stars",
    "stars_assumed",
    "letter",
    "percent",
    "number",
)
SCORE_STATUSES: tuple[str, ...] = ("ok", "empty", "unparsed", "out_of_range")

# Metacritic's letter-grade conversion (metacritic.com/about-metascores), on 0..100.
LETTER_GRADE_POINTS: dict[str, float] = {
    "a+": 100, "a": 100, "a-": 91,
    "b+": 83, "b": 75, "b-": 67,
    "c+": 58, "c": 50, "c-": 42,
    "d+": 33, "d": 25, "d-": 16,
    "e+": 0, "e": 0, "e-": 0,
    "f+": 0, "f": 0, "f-": 0,
}  # fmt: skip

_EMPTY_MARKERS = ("", "na", "n/a", "none", "null", "-", "--", "nan")
_NUMBER = r"\d+(?:\.\d+)?"
_FRACTION = rf"^({_NUMBER})/({_NUMBER})$"
_PERCENT = rf"^({_NUMBER})%$"
_LETTER = r"^([a-f][+-]?)$"
_STAR_GLYPHS = r"^(\**)(1/2|\.5)?(o*)$"
_COUNT_OF_STARS = rf"^({_NUMBER})$"

# The columns `normalize_scores` derives from `score_raw`.
SCORE_COLUMNS = ("score_value", "score_scale", "score_normalized", "score_kind", "score_status")


def canonical_score_text(raw: pl.Expr) -> pl.Expr:
    """One spelling per format: lower case, `x/y` for every "x of y", `b+` for "B plus"."""
    text = raw.str.strip_chars().str.to_lowercase()
    replacements = [
        (r"[\u2212\u2013\u2014]", "-"),  # minus sign and dashes
        (r"[\u2605\u272d\u272e\u2730]", "*"),  # filled stars
        (r"[\u2606\u2729]", "o"),  # empty stars
        (r"(\d)\s*\u00bd", "${1}.5"),  # 3½ -> 3.5
        (r"\u00bd", "1/2"),  # ★★★½ -> ***1/2
        (r"\*\s+(?:1/2|\.5)", "*1/2"),
        (r"(\d+)\s+1/2(\s*(?:/|out|of|stars?|$))", "${1}.5${2}"),  # 2 1/2/4 -> 2.5/4
        (r"\bstars?\b", " "),
        (r"\bout\s+of\b", "/"),
        (rf"^({_NUMBER})\s+of\s+({_NUMBER})", "${1}/${2}"),
        (r"^([a-f])\s*-?\s*plus$", "${1}+"),
        (r"^([a-f])\s*-?\s*minus$", "${1}-"),
        (r"\s+", ""),
    ]
    for pattern, replacement in replacements:
        text = text.str.replace_all(pattern, replacement)
    return text


def normalize_scores(frame: pl.DataFrame, raw: str = "score_raw") -> pl.DataFrame:
    """`frame` with the five score columns (re)computed from `raw`.

    Computed once per distinct score string (a million reviews hold a few hundred) and
    joined back.

    >>> normalize_scores(pl.DataFrame({"score_raw": ["3.5/5", "B+", "****", None, "7"]}))[
    ...     "score_normalized"].to_list()
    [0.7, 0.83, 1.0, None, None]
    """
    return on_distinct(frame, [raw], lambda distinct: score_table(distinct, raw))


def score_table(frame: pl.DataFrame, raw: str = "score_raw") -> pl.DataFrame:
    """The five score columns for every row of `frame`, computed row by row in Polars.

    Evaluated in three small steps (canonical text, parts, result) rather than one deep
    expression, so Polars plans each step once instead of re-planning shared sub-trees.
    """
    text = pl.col("_score_text")
    parts = (
        frame.drop(SCORE_COLUMNS, strict=False)
        .with_columns(
            canonical_score_text(pl.col(raw)).alias("_score_text"),
            pl.col(raw).str.to_lowercase().str.contains(r"\bstars?\b").alias("_score_star_word"),
        )
        .with_columns(
            text.str.extract(_FRACTION, 1).cast(pl.Float64).alias("_score_fraction_value"),
            text.str.extract(_FRACTION, 2).cast(pl.Float64).alias("_score_fraction_scale"),
            text.str.extract(_PERCENT, 1).cast(pl.Float64).alias("_score_percent"),
            text.str.extract(_LETTER, 1).alias("_score_letter"),
            text.str.extract_groups(_STAR_GLYPHS).alias("_score_glyphs"),
            text.str.extract(_COUNT_OF_STARS, 1).cast(pl.Float64).alias("_score_count"),
            (pl.col(raw).is_null() | text.is_in(_EMPTY_MARKERS)).alias("_score_empty"),
        )
    )
    return (
        parts.with_columns(_value_and_scale())
        .unnest("_score_parts")
        .with_columns(_result())
        .drop(pl.selectors.starts_with("_score_"))
    )


def _value_and_scale() -> pl.Expr:
    fraction_value = pl.col("_score_fraction_value")
    percent = pl.col("_score_percent")
    letter_points = pl.col("_score_letter").replace_strict(
        LETTER_GRADE_POINTS, default=None, return_dtype=pl.Float64
    )
    glyphs = pl.col("_score_glyphs")
    half_star = glyphs.struct.field("2").is_not_null().cast(pl.Float64) * 0.5
    glyph_value = (glyphs.struct.field("1").str.len_chars() + half_star).cast(pl.Float64)
    empty_stars = glyphs.struct.field("3").str.len_chars()
    is_glyphs = glyphs.struct.field("1").is_not_null() & (glyph_value > 0)
    count = pl.col("_score_count")
    counted_stars = count.is_not_null() & pl.col("_score_star_word")
    # Without a stated scale stars are out of 4, or out of 5 when five are shown.
    assumed_scale = pl.when(pl.max_horizontal(glyph_value, count) > 4).then(5.0).otherwise(4.0)

    value = (
        pl.when(fraction_value.is_not_null())
        .then(fraction_value)
        .when(percent.is_not_null())
        .then(percent)
        .when(letter_points.is_not_null())
        .then(letter_points)
        .when(is_glyphs)
        .then(glyph_value)
        .otherwise(count)
    )
    scale = (
        pl.when(fraction_value.is_not_null())
        .then(pl.col("_score_fraction_scale"))
        .when(percent.is_not_null() | letter_points.is_not_null())
        .then(100.0)
        .when(is_glyphs & (empty_stars > 0))
        .then(glyph_value.ceil() + empty_stars)
        .when(is_glyphs | counted_stars)
        .then(assumed_scale)
    )
    kind = (
        pl.when(fraction_value.is_not_null())
        .then(
            pl.when(pl.col("_score_star_word")).then(pl.lit("stars")).otherwise(pl.lit("fraction"))
        )
        .when(percent.is_not_null())
        .then(pl.lit("percent"))
        .when(letter_points.is_not_null())
        .then(pl.lit("letter"))
        .when(is_glyphs & (empty_stars > 0))
        .then(pl.lit("stars"))
        .when(is_glyphs | counted_stars)
        .then(pl.lit("stars_assumed"))
        .when(count.is_not_null())
        .then(pl.lit("number"))
    )
    return pl.struct(
        _score_v=value,
        _score_s=scale,
        _score_k=kind,
        # Letters take Metacritic's table value as written (0.83), not 83/100 in floating point.
        _score_letter_normalized=letter_points / 100,
    ).alias("_score_parts")


def _result() -> list[pl.Expr]:
    value, scale, empty = pl.col("_score_v"), pl.col("_score_s"), pl.col("_score_empty")
    status = (
        pl.when(empty)
        .then(pl.lit("empty"))
        .when(value.is_null() | scale.is_null() | (scale <= 0))
        .then(pl.lit("unparsed"))
        .when((value >= 0) & (value <= scale))
        .then(pl.lit("ok"))
        .otherwise(pl.lit("out_of_range"))
    )
    normalized = pl.coalesce(pl.col("_score_letter_normalized").round(2), value / scale)
    return [
        pl.when(~empty).then(value).alias("score_value"),
        pl.when(~empty).then(scale).alias("score_scale"),
        pl.when(status == "ok").then(normalized).alias("score_normalized"),
        pl.when(~empty).then(pl.col("_score_k")).alias("score_kind"),
        status.alias("score_status"),
    ]
