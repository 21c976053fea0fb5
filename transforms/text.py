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
_ODD_SPACE = r"[\s\p{Cc}\p{Cf}]{2,}|[^\S ]|[\p{Cc}\p{Cf}]"
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
    control characters and runs of whitespace made one space; blank becomes NULL.

    Done in steps over materialised columns: each step's patterns are compiled once per
    batch, and entity decoding runs only when some value in the batch contains `&`.
    """
    text = frame.with_columns(pl.col(source).alias(output) for output, source in columns.items())
    with_tags = _columns_containing(text, columns, "<")
    if with_tags:
        text = text.with_columns(
            pl.col(name).str.replace_all(_BLOCK_TAG, " ").str.replace_all(_TAG, "")
            for name in with_tags
        )
    with_entities = _columns_containing(text, columns, "&")
    if with_entities:
        patterns, replacements = _entity_table()
        text = text.with_columns(
            pl.col(name).str.replace_many(patterns, replacements) for name in with_entities
        )
    spaced = text.with_columns(
        pl.col(name).str.replace_all(_ODD_SPACE, " ").str.strip_chars(" ") for name in columns
    )
    return spaced.with_columns(
        pl.when(pl.col(output).str.len_chars() > 0).then(pl.col(output)).alias(output)
        for output in columns
    )


def _columns_containing(frame: pl.DataFrame, columns: dict[str, str], marker: str) -> list[str]:
    found = frame.select(pl.col(name).str.contains(marker, literal=True).any() for name in columns)
    return [name for name, present in found.row(0, named=True).items() if present]


def split_language_note(frame: pl.DataFrame, quote: str = "quote") -> pl.DataFrame:
    """Move a trailing `[Full Review in Spanish]` from the tidied quote to
    `review_language_note`."""
    if not frame.get_column(quote).str.contains("[Full ", literal=True).any():
        return frame.with_columns(pl.lit(None, pl.String).alias("review_language_note"))
    note = pl.col(quote).str.extract(_LANGUAGE_NOTE, 1)
    rest = pl.col(quote).str.replace(_LANGUAGE_NOTE, "").str.strip_chars()
    return frame.with_columns(
        note.alias("review_language_note"),
        pl.when(note.is_null()).then(pl.col(quote)).when(rest.str.len_chars() > 0).then(rest),
    )


def clean_quotes(frame: pl.DataFrame, raw: str = "quote_raw") -> pl.DataFrame:
    """`quote` and `review_language_note` from the raw quote."""
    return split_language_note(tidy_text(frame, {"quote": raw}))


def name_key(name: pl.Expr) -> pl.Expr:
    """The form of a name used in keys: trimmed, one space, lower case; NULL if blank."""
    key = name.str.replace_all(r"\s+", " ").str.strip_chars().str.to_lowercase()
    return pl.when(key.str.len_chars() > 0).then(key)


def quote_key(quote: pl.Expr, length: int = 120) -> pl.Expr:
    """The quote reduced to lower-case letters and digits, for matching the same review
    across layouts that punctuate or truncate it differently."""
    return quote.str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]+", "").str.slice(0, length)


def title_from_slug(slug: pl.Expr) -> pl.Expr:
    """`percy_jackson_the_lightning_thief` -> `Percy Jackson The Lightning Thief`; the
    numeric id older slugs start with (`1000013-12_angry_men`) is dropped."""
    words = slug.str.replace(r"^\d{6,}[-_]", "").str.replace_all(r"[_\-]+", " ").str.strip_chars()
    return pl.when(words.str.contains(r"[A-Za-z]")).then(words.str.to_titlecase())
