"""Work on distinct values, then join the results back.

Scores, dates and names repeat endlessly: a million reviews hold a few hundred distinct
`score_raw` strings and a few thousand dates. Running the regex-heavy normalisers on the
distinct values and joining back by key is the dictionary-encoding trick, still all Polars.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl


def on_distinct(
    frame: pl.DataFrame, keys: list[str], compute: Callable[[pl.DataFrame], pl.DataFrame]
) -> pl.DataFrame:
    """`frame` with the columns `compute` adds to its distinct `keys` rows, joined back.

    `compute` gets a frame of the distinct key values and returns it with new columns; columns
    of `frame` with the same names are replaced. Row order is kept.
    """
    distinct = frame.select(keys).unique()
    computed = compute(distinct)
    added = [name for name in computed.columns if name not in keys]
    return frame.drop(added, strict=False).join(
        computed.select(*keys, *added),
        on=keys,
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )
