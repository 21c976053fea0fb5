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
    # Only the keys are joined: joining the whole frame would copy every column of it.
    looked_up = frame.select(keys).join(
        computed.select(*keys, *added),
        on=keys,
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )
    return frame.drop(added, strict=False).hstack(looked_up.select(added))


def on_runs(
    frame: pl.DataFrame, keys: list[str], compute: Callable[[pl.DataFrame], pl.DataFrame]
) -> pl.DataFrame:
    """`on_distinct` for keys that come in runs of equal rows, as a page's rows do: computed
    once per run and spread back by run number, with no hashing and no join.

    `compute` must work row by row (a run's result may not depend on other runs), as the same
    values in two separate runs are computed twice.
    """
    run = frame.select(pl.struct(keys).rle_id()).to_series()
    starts = frame.select(keys).filter(run.diff().fill_null(1) != 0)
    computed = compute(starts)
    added = [name for name in computed.columns if name not in keys]
    return frame.drop(added, strict=False).hstack(computed.select(added)[run])
