"""The ingest flow: fetch (or list saved files) -> parse -> transform -> validate -> load.

reviewhouse ingest rt:the_departed pages/ reviews.csv      # or, in Python:
ingest_reviews(["rt:the_departed"], IngestOptions(warehouse="w.duckdb"))
"""

from __future__ import annotations

import time
from dataclasses import fields
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import State
from prefect.utilities.annotations import quote

from flows import stages
from flows.execution import Work, prepare_workers
from flows.fetch import FetchSettings, KnownPage
from flows.fetch.progress import progress_for
from flows.fetch.urls import redact_url, reveal_password
from flows.options import IngestOptions
from flows.pipeline import Intake, process, staging
from flows.runs import RunRecord, new_run
from flows.sources import resolve_sources
from warehouse.queries import known_pages, known_review_ids

DEFAULTS = IngestOptions()  # frozen: one instance serves every run


def _run_name() -> str:
    sources = [redact_url(source) for source in flow_run.parameters.get("sources") or []]
    shown = ", ".join(_short(source) for source in sources[:2])
    more = f" +{len(sources) - 2} more" if len(sources) > 2 else ""
    return f"ingest {shown}{more}"


def _short(source: str, width: int = 48) -> str:
    return source if len(source) <= width else "…" + source[-(width - 1) :]


@task(name="fetch-pages", cache_policy=NO_CACHE)
def fetch(
    urls: list[str],
    *,
    settings: FetchSettings,
    store_dir: str,
    known: dict[str, KnownPage],
    known_reviews: frozenset[str],
    staging_dir: str,
    run_id: str,
) -> stages.FetchResult:
    """Crawl the URLs; retries happen per URL inside the crawler, not per task."""
    logger = get_run_logger()
    result = stages.fetch_pages(
        [reveal_password(url) for url in urls],
        settings=settings,
        store_dir=Path(store_dir),
        known=known,
        staging_dir=Path(staging_dir),
        run_id=run_id,
        known_reviews=known_reviews,
        progress=progress_for(logger) if urls else None,
    )
    if result.quarantine_paths:
        failures = pl.read_parquet(result.quarantine_paths)
        for row in failures.head(20).iter_rows(named=True):
            logger.warning("fetch failed %s: %s", row["source_url"], row["reason"])
    logger.info(
        "fetched %d pages (%d unchanged, %d failed) in %.1f s",
        result.fetched,
        result.unchanged,
        result.failed,
        result.seconds,
    )
    return result


@flow(name="ingest-reviews", flow_run_name=_run_name)
def ingest_reviews(sources: list[str], options: IngestOptions = DEFAULTS) -> RunRecord | State:
    """Ingest review pages (URLs, files, folders, CSV datasets or `@lists`) into the warehouse.

    Pages unchanged since the last run (same bytes, a 304, or a file with the same size and
    modification time) are skipped unless `options.force`; RT's review API is paged only
    down to the first review the warehouse holds (`options.full_refresh`: all of it, every
    page read again). Returns the run's `etl_runs` record; when a batch expectation fails,
    nothing is loaded and the flow run ends Failed with the reasons.
    """
    shown = [redact_url(source) for source in sources]
    run = new_run("ingest-reviews", {"sources": shown, "options": options.recorded()}, shown)
    paths = options.paths()
    with staging(paths, run) as staging_dir:
        resolved = resolve_sources(sources)
        for skipped_source in resolved.skipped:
            get_run_logger().warning(skipped_source)
        known_web, known_files, known_reviews = _known(options)
        pages, saved, unchanged = stages.local_pages(resolved.files, known_files)
        prepare_workers(options.execution, len(pages) + len(saved))

        started = time.perf_counter()
        fetched = fetch(
            resolved.urls,
            settings=options.fetch_settings(),
            store_dir=str(paths.pages_dir),
            known=quote(known_web),  # thousands of pages: not for Prefect to walk
            known_reviews=quote(known_reviews),
            staging_dir=str(staging_dir),
            run_id=run.run_id,
        )
        run.stage_seconds["fetch"] = round(time.perf_counter() - started, 3)

        datasets, movies = _datasets(resolved.datasets, known_files)
        work = Work([*fetched.pages, *pages], saved, datasets, movies, options.max_page_bytes)
        intake = Intake(
            work=work,
            fetched=fetched,
            skipped_facts=stages.write_parquet(unchanged, staging_dir / "files.unchanged.parquet"),
            pages_read=fetched.fetched
            + fetched.failed
            + len(pages)
            + len(saved)
            + unchanged.height
            + len(datasets),
            pages_skipped=fetched.unchanged + unchanged.height,
        )
        return process(run, intake, options=options, paths=paths, staging_dir=staging_dir)


def _known(
    options: IngestOptions,
) -> tuple[dict[str, KnownPage], dict[str, stages.KnownFile], frozenset[str]]:
    """What the warehouse knows, unless the run reads everything again: fetched pages per
    URL (for conditional requests), files and datasets per URL (for change checks), each
    kind built for its own pages only; and the RT review ids it holds."""
    location = options.location()
    known_ids = frozenset() if options.full_refresh else known_review_ids(location)
    known = None if options.reads_everything else known_pages(location)
    if known is None:
        return {}, {}, known_ids
    is_web = pl.col("source_kind") == "web"
    web = {
        row["url"]: KnownPage.from_row(row) for row in known.filter(is_web).iter_rows(named=True)
    }
    file_rows = known.filter(~is_web).select(field.name for field in fields(stages.KnownFile))
    files = {row["url"]: stages.KnownFile.from_row(row) for row in file_rows.iter_rows(named=True)}
    return web, files, known_ids


def _datasets(
    paths: list[Path], known: dict[str, stages.KnownFile]
) -> tuple[list[tuple[Path, str | None]], pl.DataFrame | None]:
    """Review datasets to import, each with the hash of the version loaded before (if any),
    and the titles from any companion movies tables."""
    kinds = {path: stages.dataset_kind(path) for path in paths}
    movies_tables = [path for path, kind in kinds.items() if kind and kind.kind == "movies"]
    reviews = [
        (path, before.content_hash if (before := known.get(path.resolve().as_uri())) else None)
        for path in paths
        if path not in movies_tables
    ]
    return reviews, stages.read_movies_tables(movies_tables)
