"""What Polars alone does for the string work normalising must do, against a cast-only pass.

    python -m bench.polars_floor [--raw bench/out/work-large/raw.parquet] [--repeats 5]

On the benchmark's raw review rows (written by `python -m bench`), it times the cast-only
pass the benchmark compares the transform with, and then, in one streaming query over the
same rows, only the string work the normalise issue itself asks for, each part in the
cheapest form measured:
- finding the quotes' odd whitespace (runs of spaces, tabs, newlines, control characters):
  any collapsing of whitespace must at least scan every quote for it;
- the quote's key, its first letters and digits in lower case, so that the same review read
  from two layouts that punctuate it differently is one row;
- a stable id: the MD5 of the natural key (movie, critic, date, quote key), with the
  polars-hash plugin, as Polars' own hash may change between Polars versions.
The parts are the transform's own expressions (`transforms.text`, `transforms.keys`) and
nothing else of it runs. It reports each time, and how many cast-only passes the floor
takes: the transform cannot come closer to the cast-only pass than that.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from bench import write_result
from bench.stages import cast_only, repeated
from transforms.keys import stable_ids
from transforms.text import ODD_SPACE, QUOTE_KEY_CHARS, quote_head_letters

DEFAULT_RAW = Path(__file__).parent / "out" / "work-large" / "raw.parquet"


def quote_key(quote: pl.Expr) -> pl.Expr:
    """The transform's quote key, from the quote's head (`transforms.text`)."""
    return quote_head_letters(quote).str.slice(0, QUOTE_KEY_CHARS)


def required_strings(raw: pl.DataFrame) -> pl.DataFrame:
    """The string passes the issue asks for, in one streaming query over every core."""
    return (
        raw.lazy()
        .select(
            pl.col("quote_raw").str.contains(ODD_SPACE).alias("odd_space"),
            pl.concat_str(
                pl.col("movie_slug").fill_null(""),
                pl.col("critic_name").fill_null(""),
                pl.col("date_raw").fill_null(""),
                quote_key(pl.col("quote_raw")).fill_null(""),
                separator="|",
            ).alias("natural_key"),
        )
        .collect(engine="streaming")
    )


def measure(raw: pl.DataFrame, repeats: int = 5) -> dict[str, Any]:
    """Median wall times of the cast-only pass and of the floor's parts, over `raw`."""
    cast_s = _median_seconds(lambda: cast_only(raw), repeats)
    strings_s = _median_seconds(lambda: required_strings(raw), repeats)
    keys = required_strings(raw).get_column("natural_key")
    ids_s = _median_seconds(lambda: stable_ids(keys), repeats)
    floor_s = cast_s + strings_s + ids_s
    return {
        "rows": raw.height,
        "repeats": repeats,
        "cast_only_s": cast_s,
        "required_strings_s": strings_s,
        "stable_ids_s": ids_s,
        "floor_s": floor_s,
        "floor_over_cast_only": floor_s / cast_s,
    }


def _median_seconds(work: Callable[[], object], repeats: int) -> float:
    return statistics.median(repeated(work, repeats)[1])


def main() -> int:
    arguments = argparse.ArgumentParser(prog="python -m bench.polars_floor", description=__doc__)
    arguments.add_argument("--raw", type=Path, default=DEFAULT_RAW)
    arguments.add_argument("--repeats", type=int, default=5)
    arguments.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    options = arguments.parse_args()
    if not options.raw.exists():
        arguments.error(f"{options.raw} not found: run `python -m bench --size large` first")
    result = measure(pl.read_parquet(options.raw), options.repeats)
    write_result(options.out, "polars_floor", result)
    print(
        f"{result['rows']:,} rows: cast-only {result['cast_only_s']:.2f} s; the required "
        f"string passes {result['required_strings_s']:.2f} s and stable ids "
        f"{result['stable_ids_s']:.2f} s; floor {result['floor_s']:.2f} s = "
        f"{result['floor_over_cast_only']:.1f}x the cast-only pass"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
