"""Where things live. Everything a run writes sits beside the warehouse file:

    data/reviewhouse.duckdb          the warehouse
    data/reviewhouse.pages/          the raw page store (compressed, content-addressed)
    data/reviewhouse.reports/        Great Expectations context and Data Docs
    data/reviewhouse.staging/<run>/  a run's intermediate Parquet files, removed after its
                                     load (or, if the run was killed, by the next run:
                                     each folder records the run that owns it, see
                                     `flows.lifecycle`)

The warehouse location is the `warehouse` option, else `$REVIEWHOUSE_WAREHOUSE`, else
`data/reviewhouse.duckdb`. It may also be a DuckDB connection string (`md:reviews`); the
other folders then go under `$REVIEWHOUSE_DATA_DIR` (default `data/`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from warehouse.db import is_local_file

DEFAULT_WAREHOUSE = "data/reviewhouse.duckdb"
WAREHOUSE_ENV = "REVIEWHOUSE_WAREHOUSE"
DATA_DIR_ENV = "REVIEWHOUSE_DATA_DIR"


def resolve_warehouse(explicit: str | None = None) -> str:
    """The warehouse to use: `explicit`, else `$REVIEWHOUSE_WAREHOUSE`, else the default.

    >>> resolve_warehouse("md:reviews")
    'md:reviews'
    """
    return explicit or os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE


@dataclass(frozen=True, slots=True)
class Paths:
    """Where a run reads and writes, for one warehouse."""

    warehouse: str
    pages_dir: Path
    reports_dir: Path
    staging_dir: Path

    @classmethod
    def for_warehouse(cls, warehouse: str, reports_dir: str | Path | None = None) -> Paths:
        if is_local_file(warehouse):
            path = Path(warehouse)
            base, stem = path.parent, path.stem
        else:
            base, stem = Path(os.environ.get(DATA_DIR_ENV, "data")), "reviewhouse"
        return cls(
            warehouse=warehouse,
            pages_dir=base / f"{stem}.pages",
            reports_dir=Path(reports_dir) if reports_dir else base / f"{stem}.reports",
            staging_dir=base / f"{stem}.staging",
        )
