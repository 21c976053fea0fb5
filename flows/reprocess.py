"""Re-parse stored raw pages through today's parsers and transforms, without the network.

For after a parser fix: `reviewhouse reprocess --layout review_row` re-reads every stored
review-row page, and the idempotent load updates what changed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run
from prefect.states import State

from expectations.settings import ValidationSettings
from flows.execution import ExecutionOptions
from flows.pages import PageRef
from flows.pipeline import Intake, RunOptions, claim_staging_dir, new_run, process
from reviewhouse.settings import Paths, resolve_warehouse
from warehouse.load import RunRecord
from warehouse.queries import stored_pages


def _run_name() -> str:
    parameters = flow_run.parameters
    parts = [f"since {parameters['since']}" if parameters.get("since") else "all pages"]
    if parameters.get("layout"):
        parts.append(f"layout {parameters['layout']}")
    return "reprocess " + ", ".join(parts)


@flow(name="reprocess-pages", flow_run_name=_run_name)
def reprocess_pages(
    warehouse: str | None = None,
    since: date | None = None,
    layout: str | None = None,
    reports_dir: str | None = None,
    batch_size: int | None = None,
    max_quarantined_share: float = 0.20,
    max_unparsed_score_share: float = 0.25,
    runner: str = "auto",
    dask_address: str | None = None,
    writer_limit: str | None = None,
) -> RunRecord | State:
    """Re-parse the stored pages fetched since `since` (all when None), optionally only those
    of one `layout` (`unknown` for pages no parser recognised)."""
    location = resolve_warehouse(warehouse)
    paths = Paths.for_warehouse(location, reports_dir)
    run = new_run("reprocess-pages", dict(flow_run.parameters or {}), ["stored pages"])
    stored = stored_pages(location, since, layout)
    pages: list[PageRef] = []
    datasets: list[tuple[Path, str | None]] = []
    for row in stored.iter_rows(named=True):
        if row["source_kind"] == "dataset":
            datasets.append((Path(row["body_path"]), None))
            continue
        pages.append(
            PageRef(
                url=row["url"],
                body_path=row["body_path"],
                fetched_at=row["fetched_at"],
                compressed=row["source_kind"] == "web",
                content_type=row["content_type"],
                content_hash=row["content_hash"],
                start_url=row["start_url"],
            )
        )
    staging_dir = claim_staging_dir(paths, run)
    return process(
        run,
        Intake(pages=pages, datasets=datasets, pages_read=len(pages) + len(datasets)),
        location=location,
        paths=paths,
        staging_dir=staging_dir,
        options=RunOptions(
            execution=ExecutionOptions(
                runner=runner, batch_size=batch_size, dask_address=dask_address
            ),
            validation=ValidationSettings(
                max_quarantined_share=max_quarantined_share,
                max_unparsed_score_share=max_unparsed_score_share,
            ),
            writer_limit=writer_limit,
        ),
    )
