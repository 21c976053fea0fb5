"""Quotes and names: entities decoded, tags stripped, whitespace collapsed, keys derived.

Curly quotes and accents are kept as written; only markup and spacing are changed.
"""

from __future__ import annotations

import html.entities
from functools import cache

import polars as pl

_BLOCK_TAG = r"(?i)<(?:br|/?p|/?div|/?li)\b[^<>]{0,200}>"
_TAG = r"<[^<>]{0,200}>"
_LANGUAGE_NOTE = r"\s*\[(Full [Rr]eview in [^\[\]]{1,40})\]\s*$"
# Numeric character references this far cover every script a review is written in.
_NUMERIC_ENTITY_LIMIT = 0x3000


@cache
def _entity_table() -> tuple[list[str], list[str]]:
    """HTML5 named entities plus numeric references (`&#39;`, `&#x2019;`), for replace_many.

    Built once: Polars has no entity decoder, and a multi-pattern replace keeps decoding
    vectorised instead of calling `html.unescape` on every row.
    """
    table = {f"&{name}": char for name, char in html.entities.html5.items() if name.endswith(";")}
    for code in range(32, _NUMERIC_ENTITY_LIMIT):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        table[f"&#{code};"] = char
        table[f"&#x{code:x};"] = char
        table[f"&#x{code:X};"] = char
    return list(table), list(table.values())


def decode_entities(text: pl.Expr) -> pl.Expr:
    """`It&#39;s` -> `It's`; text without `&` is left as it is."""
    patterns, replacements = _entity_table()
    return (
        pl.when(text.str.contains("&", literal=True))
        .then(text.str.replace_many(patterns, replacements))
        .otherwise(text)
    )


def clean_text(text: pl.Expr) -> pl.Expr:
    """Markup stripped, entities decoded, whitespace collapsed; empty becomes NULL."""
    cleaned = decode_entities(text.str.replace_all(_BLOCK_TAG, " ").str.replace_all(_TAG, ""))
    cleaned = cleaned.str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(cleaned.str.len_chars() > 0).then(cleaned)


def quote_columns(raw: str = "quote_raw") -> list[pl.Expr]:
    """`quote` and `review_language_note` ("Full Review in Spanish") from the raw quote."""
    cleaned = clean_text(pl.col(raw))
    note = cleaned.str.extract(_LANGUAGE_NOTE, 1)
    quote = cleaned.str.replace(_LANGUAGE_NOTE, "").str.strip_chars()
    return [
        pl.when(quote.str.len_chars() > 0).then(quote).alias("quote"),
        note.alias("review_language_note"),
    ]


def name_key(name: pl.Expr) -> pl.Expr:
    """The form of a name used in keys: trimmed, one space, lower case; NULL if blank."""
    key = name.str.replace_all(r"\s+", " ").str.strip_chars().str.to_lowercase()
    return pl.when(key.str.len_chars() > 0).then(key)


def quote_key(quote: pl.Expr, length: int = 120) -> pl.Expr:
    """The quote reduced to lower-case letters and digits, for matching the same review
    across layouts that punctuate or truncate it differently."""
    return quote.str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]+", "").str.slice(0, length)


def title_from_slug(slug: pl.Expr) -> pl.Expr:
    """`percy_jackson_the_lightning_thief` -> `Percy Jackson The Lightning Thief`."""
    words = slug.str.replace_all(r"[_\-]+", " ").str.strip_chars()
    return pl.when(words.str.contains(r"[A-Za-z]")).then(words.str.to_titlecase())
