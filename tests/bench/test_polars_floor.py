"""The Polars floor measurement: the string work normalising requires, timed on its own."""

from __future__ import annotations

import polars as pl
import pytest

from bench.polars_floor import measure, quote_key, required_strings
from transforms import text

QUOTES = [
    "A gripping, beautifully shot thriller - with one twist too many.",
    "Deux heures de bonheur : c'est réussi, drôle et émouvant !",
    "¡Qué película! 10/10, would watch again...",
    "Not   evenly\tspaced\nquote",
]


def raw_rows(count: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "movie_slug": [f"movie_{n % 7}" for n in range(count)],
            "critic_name": [f" Critic {n % 13} " for n in range(count)],
            "publication": [f"Paper {n % 5}" for n in range(count)],
            "movie_title": [f"Movie {n % 7}" for n in range(count)],
            "date_raw": [f"March {n % 28 + 1}, 2021" for n in range(count)],
            "score_raw": [f"{n % 5}/5" for n in range(count)],
            "sentiment": ["fresh" if n % 2 else "rotten" for n in range(count)],
            "quote_raw": [QUOTES[n % len(QUOTES)] + f" #{n}" for n in range(count)],
        }
    )


def test_the_floor_is_the_sum_of_its_parts_and_is_reported_against_the_cast_only_pass():
    result = measure(raw_rows(3_000), repeats=1)

    assert result["rows"] == 3_000
    parts = (result["cast_only_s"], result["required_strings_s"], result["stable_ids_s"])
    assert all(seconds > 0 for seconds in parts)
    assert result["floor_s"] == pytest.approx(sum(parts))
    assert result["floor_over_cast_only"] == pytest.approx(result["floor_s"] / parts[0])


def test_the_floor_computes_the_transforms_quote_key_and_finds_odd_whitespace():
    quotes = pl.DataFrame({"quote": QUOTES[:3]})

    floor_keys = quotes.select(quote_key(pl.col("quote"))).to_series()
    transform_keys = quotes.select(text.quote_key(pl.col("quote"))).to_series()

    assert floor_keys.to_list() == transform_keys.to_list()
    assert floor_keys[0] == "agrippingbeautifullyshotthrillerwithonetwisttoomany"
    found = required_strings(raw_rows(4))
    assert found.get_column("odd_space").to_list() == [False, False, False, True]
    assert found.get_column("natural_key")[0].startswith("movie_0| Critic 0 |March 1, 2021|")
