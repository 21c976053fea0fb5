"""The ingest flow: read/fetch -> parse -> transform -> validate -> load.

Tasks work on batches of pages and hand each other file paths and counts, never frames.
Only the load task writes the warehouse, under the `warehouse-writer` tag (give it a
Prefect concurrency limit of 1 when several workers share a warehouse) and a file lock.
"""

from __future__ import annotations

import shutil
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run
from prefect.states import Failed, State

from expectations.settings import ValidationSettings
from expectations.validate import validate_batch
from flows import stages
from flows.artifacts import publish_run_artifacts
from flows.pages import PageRef, file_page
from flows.sources import resolve_sources
from reviewhouse.settings import Paths, resolve_warehouse
from warehouse.load import LoadBatch, RunRecord, load_run, record_failed_run
from warehouse.publish import writing
from warehouse.queries import reviews_from_pages

WRITER_TAG = "warehouse-writer"


@dataclass(frozen=True, slots=True)
class ValidatedBatch:
    """The validate task's hand-off: where the checked frames are, and what was found."""

    directory: str
    reviews_parsed: int
    reviews_quarantined: int
    batch_failures: list[str] = field(default_factory=list)
    warnings: dict[str, int] = field(default_factory=dict)
    report_path: str | None = None
    seconds: float = 0.0


def _run_name() -> str:
    sources = flow_run.parameters.get("sources") or []
    shown = ", ".join(_short(source) for source in sources[:2])
    more = f" +{len(sources) - 2} more" if len(sources) > 2 else ""
    return f"ingest {shown}{more}"


def _short(source: str, width: int = 48) -> str:
    return source if len(source) <= width else "…" + source[-(width - 1) :]


@task(name="parse-and-transform", task_run_name="parse-and-transform batch {batch_number}")
def parse_and_transform(
    pages: list[PageRef], batch_number: int, staging_dir: str, run_id: str
) -> stages.StagedBatch:
    staged = stages.stage_batch(
        pages, batch_number=batch_number, staging_dir=Path(staging_dir), run_id=run_id
    )
    logger = get_run_logger()
    logger.info(
        "batch %d: %d pages parsed, %d failed, %d reviews (layouts %s)",
        batch_number,
        staged.pages_parsed,
        staged.pages_failed,
        staged.reviews_parsed,
        staged.layouts,
    )
    return staged


@task(name="import-dataset", task_run_name="import-dataset {path.name}")
def import_dataset(
    path: Path, batch_number: int, staging_dir: str, run_id: str, movies: pl.DataFrame | None
) -> stages.StagedBatch:
    staged = stages.stage_dataset(
        path,
        batch_number=batch_number,
        staging_dir=Path(staging_dir),
        run_id=run_id,
        movies=movies,
    )
    get_run_logger().info(
        "dataset %s: %d rows in %d chunks (%.1f s)",
        path.name,
        staged.reviews_parsed,
        len(staged.reviews_paths),
        staged.seconds,
    )
    return staged


@task(name="validate")
def validate(
    batches: list[stages.StagedBatch],
    *,
    run_id: str,
    warehouse: str,
    reports_dir: str,
    staging_dir: str,
    settings: ValidationSettings,
) -> ValidatedBatch:
    started = time.perf_counter()
    reviews, upstream_quarantine = stages.read_staged(batches)
    dims = stages.dimensions(reviews)
    page_urls = reviews.get_column("source_url").unique().to_list()
    report = validate_batch(
        run_id=run_id,
        reviews=reviews,
        movies=dims["movies"],
        critics=dims["critics"],
        publications=dims["publications"],
        pages_parsed=sum(batch.pages_parsed for batch in batches),
        warehouse_counts=reviews_from_pages(warehouse, page_urls),
        reports_dir=reports_dir,
        settings=settings,
    )
    kept = report.reviews
    directory = Path(staging_dir) / "validated"
    directory.mkdir(parents=True, exist_ok=True)
    final_dims = stages.dimensions(kept)
    frames = {
        "reviews": kept,
        **final_dims,
        "quarantine": pl.concat([upstream_quarantine, report.quarantine]),
        "validation_results": report.results,
    }
    for name, frame in frames.items():
        frame.write_parquet(directory / f"{name}.parquet", compression="lz4")
    logger = get_run_logger()
    for reason, count in report.warnings.items():
        logger.warning("validation warning: %s (%d reviews)", reason, count)
    for failure in report.batch_failures:
        logger.error("batch expectation failed: %s", failure)
    return ValidatedBatch(
        directory=str(directory),
        reviews_parsed=reviews.height,
        reviews_quarantined=report.quarantine.height,
        batch_failures=report.batch_failures,
        warnings=report.warnings,
        report_path=str(report.docs_index) if report.docs_index else None,
        seconds=time.perf_counter() - started,
    )


@task(name="load-warehouse", tags=[WRITER_TAG])
def load(validated: ValidatedBatch, *, warehouse: str, run: RunRecord) -> RunRecord:
    directory = Path(validated.directory)
    frames = {path.stem: pl.read_parquet(path) for path in directory.glob("*.parquet")}
    run.ended_at = datetime.now(UTC)
    with writing(warehouse) as con:
        if validated.batch_failures:
            record_failed_run(
                con,
                run,
                frames["quarantine"],
                {"validation_results": frames["validation_results"]},
            )
        else:
            load_run(
                con,
                LoadBatch(
                    reviews=frames["reviews"],
                    movies=frames["movies"],
                    critics=frames["critics"],
                    publications=frames["publications"],
                    quarantine=frames["quarantine"],
                    extra_tables={"validation_results": frames["validation_results"]},
                ),
                run,
            )
    return run


@flow(name="ingest-reviews", flow_run_name=_run_name)
def ingest_reviews(
    sources: list[str],
    warehouse: str | None = None,
    reports_dir: str | None = None,
    batch_size: int = 200,
    max_quarantined_share: float = 0.20,
    max_unparsed_score_share: float = 0.25,
) -> RunRecord | State:
    """Ingest review pages (URLs, files, folders or `@lists`) into the warehouse.

    Returns the run's `etl_runs` record; when a batch expectation fails, nothing is loaded
    and the flow run ends Failed with the reasons.
    """
    logger = get_run_logger()
    location = resolve_warehouse(warehouse)
    paths = Paths.for_warehouse(location, reports_dir)
    run = RunRecord(
        run_id=_new_run_id(),
        started_at=datetime.now(UTC),
        flow_run_id=str(flow_run.id) if flow_run.id else None,
        flow_name="ingest-reviews",
        parameters={
            "warehouse": location,
            "batch_size": batch_size,
            "max_quarantined_share": max_quarantined_share,
            "max_unparsed_score_share": max_unparsed_score_share,
        },
        sources=list(sources),
    )
    staging_dir = paths.staging_dir / run.run_id
    try:
        resolved = resolve_sources(sources)
        pages = [file_page(path) for path in resolved.files]
        stage_started = time.perf_counter()
        chunks = _chunks(pages, batch_size)
        futures = parse_and_transform.map(
            chunks,
            range(len(chunks)),
            staging_dir=str(staging_dir),
            run_id=run.run_id,
        )
        review_datasets, movies = _split_datasets(resolved.datasets)
        dataset_futures = [
            import_dataset.submit(path, len(chunks) + number, str(staging_dir), run.run_id, movies)
            for number, path in enumerate(review_datasets)
        ]
        batches = [future.result() for future in [*futures, *dataset_futures]]
        run.stage_seconds["parse_transform"] = round(time.perf_counter() - stage_started, 3)
        run.pages_read = sum(batch.pages_parsed + batch.pages_failed for batch in batches)
        run.pages_failed = sum(batch.pages_failed for batch in batches)

        validated = validate(
            batches,
            run_id=run.run_id,
            warehouse=location,
            reports_dir=str(paths.reports_dir),
            staging_dir=str(staging_dir),
            settings=ValidationSettings(
                max_quarantined_share=max_quarantined_share,
                max_unparsed_score_share=max_unparsed_score_share,
            ),
        )
        run.stage_seconds["validate"] = round(validated.seconds, 3)
        run.reviews_parsed = sum(batch.reviews_parsed for batch in batches)
        run.reviews_quarantined = validated.reviews_quarantined
        run.warnings = validated.warnings
        run.report_path = validated.report_path
        run.status = "failed" if validated.batch_failures else "completed"
        if validated.batch_failures:
            run.error_summary = "; ".join(validated.batch_failures)
        load_started = time.perf_counter()
        run = load(validated, warehouse=location, run=run)
        run.stage_seconds["load"] = round(time.perf_counter() - load_started, 3)
    finally:
        shutil.rmtree(staging_dir, ignore_errors=True)

    publish_run_artifacts(run)
    logger.info(run.summary_line())
    if run.status == "failed":
        return Failed(message=run.summary_line(), data=run)
    return run


def _split_datasets(paths: list[Path]) -> tuple[list[Path], pl.DataFrame | None]:
    """Review datasets to import, and the titles from any companion movies tables."""
    kinds = {path: stages.dataset_kind(path) for path in paths}
    movies_tables = [path for path, kind in kinds.items() if kind and kind.kind == "movies"]
    reviews = [path for path in paths if path not in movies_tables]
    return reviews, stages.read_movies_tables(movies_tables)


def _new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def _chunks(pages: list[PageRef], size: int) -> list[list[PageRef]]:
    return [pages[start : start + size] for start in range(0, len(pages), size)] or [[]]
