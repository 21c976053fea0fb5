"""Stable surrogate keys: the first 16 hex digits of the MD5 of a natural-key string.

Polars' own `hash` is documented as stable only within one Polars version, and these keys
live in the warehouse for years, so the digest comes from DuckDB's `md5`, which is
vectorised and standard, over the Arrow buffers of the key column (no Python per row).
"""

from __future__ import annotations

import threading

import duckdb
import polars as pl

KEY_HEX_DIGITS = 16


def stable_ids(keys: pl.Series) -> pl.Series:
    """`md5(key)[:16]` for every key, NULL where the key is NULL, in the same order.

    >>> stable_ids(pl.Series("k", ["movie|backstage"])).to_list()
    ['ccb8bf8312f49c0a']
    """
    # Arrow string views, which DuckDB reads as they are: the default Arrow export copies
    # every key into a new buffer first.
    views = pl.DataFrame({"natural_key": keys}).to_arrow(  # noqa: F841 - read by DuckDB
        compat_level=pl.CompatLevel.newest()
    )
    hashed = (
        _hasher().sql(f"SELECT substr(md5(natural_key), 1, {KEY_HEX_DIGITS}) AS id FROM views").pl()
    )
    # DuckDB answers in chunks of its own; in one chunk, the ids' later hashing (joins,
    # de-duplication) is about twice as fast.
    return hashed.get_column("id").alias(keys.name).rechunk()


_local = threading.local()


def _hasher() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB per thread, kept: opening one costs more than hashing a batch."""
    if not hasattr(_local, "connection"):
        _local.connection = duckdb.connect()
    return _local.connection


def with_ids(frame: pl.DataFrame, natural_keys: dict[str, pl.Expr]) -> pl.DataFrame:
    """Add one id column per entry of `natural_keys` (name -> natural-key expression)."""
    keys = frame.select(**natural_keys)
    return frame.with_columns(stable_ids(keys.get_column(name)) for name in natural_keys)
