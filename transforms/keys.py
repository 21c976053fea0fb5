"""Stable surrogate keys: the first 16 hex digits of the MD5 of a natural-key string.

Warehouses hold these ids for years, so they must never change: Polars' own `hash` is
stable only within one Polars version, while MD5 is a standard. The digest comes from the
`polars-hash` plugin, which hashes the UTF-8 bytes of each string inside Polars (no Python
per row, no database), and gives what `hashlib.md5(key.encode()).hexdigest()` gives.
"""

from __future__ import annotations

import polars as pl
import polars_hash  # noqa: F401 - registers the `nchash` namespace on expressions

KEY_HEX_DIGITS = 16


def stable_id(natural_key: pl.Expr) -> pl.Expr:
    """`md5(key)[:16]` of a string expression, NULL where the key is NULL.

    >>> pl.select(stable_id(pl.lit("movie|backstage"))).item()
    'ccb8bf8312f49c0a'
    """
    return natural_key.nchash.md5().str.slice(0, KEY_HEX_DIGITS)


def stable_ids(keys: pl.Series) -> pl.Series:
    """`stable_id` of every key of a Series, in the same order and under the same name.

    >>> stable_ids(pl.Series("k", ["movie|backstage", None])).to_list()
    ['ccb8bf8312f49c0a', None]
    """
    return pl.select(stable_id(pl.lit(keys))).to_series().alias(keys.name)


def with_ids(frame: pl.DataFrame, natural_keys: dict[str, pl.Expr]) -> pl.DataFrame:
    """Add one id column per entry of `natural_keys` (name -> natural-key expression)."""
    return frame.with_columns(stable_id(key).alias(name) for name, key in natural_keys.items())
