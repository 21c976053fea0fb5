"""Re-parse stored raw pages through today's parsers and transforms, without the network.

For after a parser fix: `reviewhouse reprocess --layout review_row` re-reads every stored
review-row page, and the idempotent load updates what changed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow
from prefect.runtime import flow_run
from prefect.states import State

from flows.execution import Work
from flows.fetch import PageRef
from flows.options import RunOptions
from flows.pipeline import Intake, process, staging
from flows.runs import RunRecord, new_run
from warehouse.queries import stored_pages

DEFAULTS = RunOptions()  # frozen: one instance serves every run


def _run_name() -> str:
    parameters = flow_run.parameters
    parts = [f"since {parameters['since']}" if parameters.get("since") else "all pages"]
    if parameters.get("layout"):
        parts.append(f"layout {parameters['layout']}")
    return "reprocess " + ", ".join(parts)


@flow(name="reprocess-pages", flow_run_name=_run_name)
def reprocess_pages(
    since: date | None = None, layout: str | None = None, options: RunOptions = DEFAULTS
) -> RunRecord | State:
    """Re-parse the stored pages fetched since `since` (all when None), optionally only those
    of one `layout` (`unknown` for pages no parser recognised)."""
    parameters = {"since": since, "layout": layout, "options": options.recorded()}
    run = new_run("reprocess-pages", parameters, ["stored pages"])
    paths = options.paths()
    stored = stored_pages(options.location(), since, layout)
    is_dataset = pl.col("source_kind") == "dataset"
    pages = [_stored_page(row) for row in stored.filter(~is_dataset).iter_rows(named=True)]
    datasets = [(Path(path), None) for path in stored.filter(is_dataset)["body_path"]]
    work = Work(pages, datasets=datasets, max_page_bytes=options.max_page_bytes)
    intake = Intake(work=work, pages_read=len(pages) + len(datasets))
    with staging(paths, run) as staging_dir:
        return process(run, intake, options=options, paths=paths, staging_dir=staging_dir)


def _stored_page(row: dict[str, Any]) -> PageRef:
    """A page of the `pages` table, to be read from the raw store (or its file) again."""
    return PageRef(
        url=row["url"],
        body_path=row["body_path"],
        fetched_at=row["fetched_at"],
        compressed=row["source_kind"] == "web",
        content_type=row["content_type"],
        content_hash=row["content_hash"],
        start_url=row["start_url"],
    )
