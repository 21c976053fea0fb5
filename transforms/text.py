"""Quotes and names: entities decoded, tags stripped, whitespace collapsed, keys derived.

Curly quotes and accents are kept as written; only markup and spacing are changed.
"""

from __future__ import annotations

import html.entities
from functools import cache

import polars as pl

_BLOCK_TAG = r"(?i)<(?:br|/?p|/?div|/?li)\b[^<>]{0,200}>"
_TAG = r"<[^<>]{0,200}>"
# Runs of two or more spaces, and any whitespace or control character other than a plain
# space; matching single spaces too would rewrite every word gap for nothing.
ODD_SPACE = r"[\s\p{Cc}\p{Cf}]{2,}|[^\S ]|[\p{Cc}\p{Cf}]"
_LANGUAGE_NOTE = (
    r"\s*\[(Full [Rr]eview in [^\[\]]{1,40})\](?:\s*\[Full [Rr]eview in [^\[\]]{1,40}\])*\s*$"
)
# Numeric references decoded: Latin (with extensions and IPA), Greek, Cyrillic, punctuation,
# currency, letter-like symbols, arrows, maths and the symbol/dingbat blocks (stars, hearts).
# Anything rarer is left as written rather than paying for 30,000 more patterns per batch.
_NUMERIC_ENTITY_RANGES = (
    (0x20, 0x2FF),
    (0x370, 0x52F),
    (0x2000, 0x22FF),
    (0x2500, 0x27BF),
)


@cache
def _entity_table() -> tuple[list[str], list[str]]:
    """HTML5 named entities plus numeric references (`&#39;`, `&#x2019;`), for replace_many.

    Polars has no entity decoder; one multi-pattern replace keeps decoding vectorised
    instead of calling `html.unescape` on every row.
    """
    table = {f"&{name}": char for name, char in html.entities.html5.items() if name.endswith(";")}
    for first, last in _NUMERIC_ENTITY_RANGES:
        for code in range(first, last + 1):
            char = chr(code)
            table[f"&#{code};"] = char
            for marker in ("x", "X"):
                table[f"&#{marker}{code:x};"] = char
                table[f"&#{marker}{code:X};"] = char
    return list(table), list(table.values())


def tidy_text(frame: pl.DataFrame, columns: dict[str, str]) -> pl.DataFrame:
    """Text columns (`output name -> input column`) with markup stripped, entities decoded,
    control characters and runs of whitespace made one space; blank becomes NULL."""
    return _tidy(frame, columns).collect()


def _tidy(frame: pl.DataFrame, columns: dict[str, str]) -> pl.LazyFrame:
    """`tidy_text`, planned. Markup and entity passes run only on columns where some value
    needs them. In two steps, so the twice-named tidied text is computed once."""
    tidied = frame.lazy().with_columns(
        _tidied(
            pl.col(source),
            tags=_any_contains(frame, source, "<"),
            entities=_any_contains(frame, source, "&"),
        ).alias(output)
        for output, source in columns.items()
    )
    return tidied.with_columns(
        pl.when(pl.col(output).str.len_bytes() > 0).then(pl.col(output)).alias(output)
        for output in columns
    )


def _tidied(text: pl.Expr, *, tags: bool, entities: bool) -> pl.Expr:
    if tags:
        text = text.str.replace_all(_BLOCK_TAG, " ").str.replace_all(_TAG, "")
    if entities:
        text = text.str.replace_many(*_entity_table())
    return text.str.replace_all(ODD_SPACE, " ").str.strip_chars(" ")


def _any_contains(frame: pl.DataFrame, column: str, marker: str) -> bool:
    return bool(frame.get_column(column).str.contains(marker, literal=True).any())


def clean_quotes(frame: pl.DataFrame, raw: str = "quote_raw") -> pl.DataFrame:
    """`frame` with `quote` (tidied) and `review_language_note` (a trailing `[Full Review in
    Spanish]` moved out of the quote) from the raw quote.

    String work on every review: run on the streaming engine, which spreads it over all
    cores (eager string work uses one core per chunk, and a joined frame is one chunk).
    """
    quotes = _tidy(frame.select(raw), {"quote": raw}).select("quote")
    if _any_contains(frame, raw, "[Full"):
        note = pl.col("quote").str.extract(_LANGUAGE_NOTE, 1)
        rest = pl.col("quote").str.replace(_LANGUAGE_NOTE, "").str.strip_chars()
        quotes = quotes.select(
            pl.when(note.is_null())
            .then(pl.col("quote"))
            .when(rest.str.len_bytes() > 0)
            .then(rest)
            .alias("quote"),
            note.alias("review_language_note"),
        )
    else:
        quotes = quotes.with_columns(pl.lit(None, pl.String).alias("review_language_note"))
    return frame.with_columns(quotes.collect(engine="streaming").get_columns())


def name_key(name: pl.Expr) -> pl.Expr:
    """The form of a name used in keys: trimmed, one space, lower case; NULL if blank."""
    key = name.str.replace_all(r"\s+", " ").str.strip_chars().str.to_lowercase()
    return pl.when(key.str.len_chars() > 0).then(key)


QUOTE_KEY_CHARS = 120


def quote_key(quote: pl.Expr, length: int = QUOTE_KEY_CHARS) -> pl.Expr:
    """The quote reduced to lower-case letters and digits, for matching the same review
    across layouts that punctuate or truncate it differently."""
    return _letters_and_digits(quote).str.slice(0, length)


def quote_head_letters(quote: pl.Expr, length: int = QUOTE_KEY_CHARS) -> pl.Expr:
    """The letters and digits, lower case, of the quote's first `4/3 * length` characters:
    the input of `quote_key_from_head`, computed once as a column."""
    return _letters_and_digits(quote.str.slice(0, _head_chars(length)))


def quote_key_from_head(
    quote: pl.Expr, head_letters: pl.Expr, length: int = QUOTE_KEY_CHARS
) -> tuple[pl.Expr, pl.Expr]:
    """`quote_key` from `quote_head_letters`, and whether that fell short (where it did,
    `quote_key` of the whole quote is the key).

    The first `4/3 * length` characters hold the first `length` letters and digits unless
    the quote is mostly punctuation. Removing what is not a letter or digit is the costliest
    step of the transform, and a review's quote runs on well past the part its key keeps.
    """
    # One letter more than kept: lower-casing the cut's last letter may differ from the
    # whole quote's (a final sigma), and that letter is not kept.
    short = (quote.str.len_chars() > _head_chars(length)) & (head_letters.str.len_chars() <= length)
    return head_letters.str.slice(0, length), short


def _head_chars(length: int) -> int:
    return length * 4 // 3


def _letters_and_digits(text: pl.Expr) -> pl.Expr:
    # Spaces go first, by a literal replace: the regex then matches a few punctuation runs
    # instead of every word gap. Lower-casing comes before both, as it can add marks
    # (`İ` -> `i̇`) that are then removed.
    return (
        text.str.to_lowercase()
        .str.replace_all(" ", "", literal=True)
        .str.replace_all(r"[^\p{L}\p{N}]+", "")
    )


def title_from_slug(slug: pl.Expr) -> pl.Expr:
    """`percy_jackson_the_lightning_thief` -> `Percy Jackson The Lightning Thief`; the
    numeric id older slugs start with (`1000013-12_angry_men`) is dropped; a TV season's
    `tv/severance/s02` -> `Severance Season 2`."""
    words = (
        slug.str.replace(r"^\d{6,}[-_]", "")
        .str.replace(r"^tv/([^/]+)/s0*(\d+)$", "${1} season ${2}")
        .str.replace_all(r"[_\-/]+", " ")
        .str.strip_chars()
    )
    return pl.when(words.str.contains(r"[A-Za-z]")).then(words.str.to_titlecase())
