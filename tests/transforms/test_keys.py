"""Stable ids: `md5(key)[:16]`, the same bytes hashlib gives, for every string a page holds.

Warehouses hold these ids for years, so whatever computes them must agree with a plain
`hashlib.md5(key.encode("utf-8")).hexdigest()[:16]`, NULLs staying NULL.
"""

from __future__ import annotations

import hashlib
import random

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from transforms.keys import KEY_HEX_DIGITS, stable_id, stable_ids, with_ids


def by_hand(key: str | None) -> str | None:
    return None if key is None else hashlib.md5(key.encode("utf-8")).hexdigest()[:KEY_HEX_DIGITS]


# Ids of every kind, written out once from hashlib: these exact values are in warehouses.
PINNED = {
    "movie|backstage": "ccb8bf8312f49c0a",
    "slug:the_matrix": "a802556ae8a4a3b0",
    "slug:tv/severance/s02": "a5bd250d1c5a7696",
    "title:backstage|critic:jane doe|2007-01-11|afinefilm": "c1669e6f38d26a3f",
}


def test_pinned_ids_are_hashlibs_and_stay_as_they_are():
    assert {key: by_hand(key) for key in PINNED} == PINNED
    assert stable_ids(pl.Series(list(PINNED))).to_list() == list(PINNED.values())


def test_null_keys_give_null_ids_and_the_name_and_order_are_kept():
    ids = stable_ids(pl.Series("review_key", ["slug:the_matrix", None, "", "slug:the_matrix"]))
    assert ids.name == "review_key"
    assert ids.to_list() == ["a802556ae8a4a3b0", None, by_hand(""), "a802556ae8a4a3b0"]


def test_a_large_random_sample_with_non_ascii_and_nulls_agrees_with_hashlib():
    rng = random.Random(19)
    alphabet = "abc XYZ 019|:/-'\"\t\n" + "éüßçøÅ漢字カタ😀🎬—’“”\u0301\u200b\x00İıΣς"
    keys = [
        None if rng.random() < 0.05 else "".join(rng.choices(alphabet, k=rng.randint(0, 200)))
        for _ in range(50_000)
    ]
    computed = stable_ids(pl.Series("key", keys, dtype=pl.String)).to_list()
    assert computed == [by_hand(key) for key in keys]


@given(st.lists(st.one_of(st.none(), st.text()), max_size=50))
def test_any_text_agrees_with_hashlib(keys: list[str | None]):
    assert stable_ids(pl.Series(keys, dtype=pl.String)).to_list() == [by_hand(k) for k in keys]


def test_ids_are_sixteen_lower_case_hex_digits():
    ids = stable_ids(pl.Series(["a", "B", "ζ" * 1000]))
    assert ids.str.contains(r"^[0-9a-f]{16}$").all()


def test_with_ids_adds_one_id_per_natural_key_expression():
    frame = pl.DataFrame({"slug": ["the_matrix", None]})
    keyed = with_ids(frame, {"movie_id": pl.concat_str(pl.lit("slug:"), pl.col("slug"))})
    assert keyed.columns == ["slug", "movie_id"]
    assert keyed["movie_id"].to_list() == ["a802556ae8a4a3b0", None]


def test_stable_id_works_inside_a_lazy_streaming_query():
    query = pl.LazyFrame({"key": list(PINNED)}).select(stable_id(pl.col("key")))
    assert query.collect(engine="streaming").to_series().to_list() == list(PINNED.values())
