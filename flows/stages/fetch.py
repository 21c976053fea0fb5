"""Fetching web pages (the crawl) and listing local files, deciding what needs parsing."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from flows.fetch import (
    Crawler,
    CrawlProgress,
    CrawlReport,
    FetchSettings,
    KnownPage,
    PageRef,
    PageStore,
    ProcessKeeper,
    build_client,
)
from flows.pages import FileVersion, SavedFiles, file_page, file_version
from flows.stages import facts
from flows.stages.facts import KnownFile
from flows.stages.parse import write_parquet
from flows.stages.problems import page_problem
from flows.workers import start_process
from parsers import FeedLinks
from transforms.schema import PAGE_FACTS_SCHEMA, QUARANTINE_SCHEMA


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The fetch task's hand-off: pages to parse, where the facts are, counts."""

    pages: list[PageRef]
    web_facts_paths: tuple[str, ...]
    skipped_facts_paths: tuple[str, ...]
    quarantine_paths: tuple[str, ...]
    fetched: int
    unchanged: int
    failed: int
    seconds: float

    @classmethod
    def empty(cls) -> FetchResult:
        return cls([], (), (), (), 0, 0, 0, 0.0)


# From this many URLs a run stores pages in a worker process: compressing, hashing and
# link-finding on the crawler's own threads contend with its event loop for the GIL. Below
# it, starting the process costs more than it saves (docs/performance.md).
STORE_IN_A_PROCESS_FROM = 200


def fetch_pages(
    urls: list[str],
    *,
    settings: FetchSettings,
    store_dir: Path,
    known: dict[str, KnownPage],
    staging_dir: Path,
    run_id: str,
    known_reviews: frozenset[str] = frozenset(),
    progress: CrawlProgress | None = None,
) -> FetchResult:
    """Crawl `urls` (and the pages they link to) into the raw store. `known_reviews`: the
    RT review ids the warehouse holds, where a nightly run stops paging RT's review API."""
    started = time.perf_counter()

    store = PageStore(store_dir)
    links = FeedLinks(known_reviews, full_refresh=settings.full_refresh)

    async def crawl() -> CrawlReport:
        async with contextlib.AsyncExitStack() as resources:
            client = await resources.enter_async_context(build_client(settings))
            keeper = None
            if len(urls) >= STORE_IN_A_PROCESS_FROM:
                keeper = await resources.enter_async_context(
                    ProcessKeeper(store, links, start_process=start_process)
                )
            crawler = Crawler(
                client,
                settings,
                store,
                known=known,
                link_finder=links,
                progress=progress,
                keeper=keeper,
            )
            return await crawler.run(urls)

    report = asyncio.run(crawl()) if urls else CrawlReport()
    staging_dir.mkdir(parents=True, exist_ok=True)
    ok = [outcome for outcome in report.outcomes if outcome.error is None]
    web_facts = facts.web_facts(ok)
    unchanged = facts.unchanged_web_facts(ok)
    problems = pl.DataFrame(
        [
            page_problem(
                run_id,
                outcome.url,
                "fetch",
                outcome.error or "",
                status=outcome.status,
                attempts=outcome.attempts,
                seed=outcome.seed,
            )
            for outcome in report.failed
        ],
        schema=QUARANTINE_SCHEMA,
    )
    started_from = {outcome.url: outcome.seed for outcome in ok}
    return FetchResult(
        pages=[replace(page, start_url=started_from.get(page.url)) for page in report.pages],
        web_facts_paths=write_parquet(web_facts, staging_dir / "fetch.web.parquet"),
        skipped_facts_paths=write_parquet(unchanged, staging_dir / "fetch.unchanged.parquet"),
        quarantine_paths=write_parquet(problems, staging_dir / "fetch.quarantine.parquet"),
        fetched=len(ok),
        unchanged=report.unchanged,
        failed=len(report.failed),
        seconds=time.perf_counter() - started,
    )


def local_pages(
    paths: list[str], known: dict[str, KnownFile]
) -> tuple[list[PageRef], SavedFiles, pl.DataFrame]:
    """Pages to parse, saved files to parse (bare paths), and facts for the files left alone
    because their size and modification time match the version already loaded (like `make`).

    A file loaded before from the same path is checked with `stat` alone, without reading
    its `.url` to learn its address. The `.url`'s own modification time and its existence
    are part of the version, so a page given a new address, or losing its address, is read
    again.

    When the warehouse knows no files at all, every page is new and stays a path: the worker
    that parses it reads its `stat` and `.url` (see `stage_batch`), on every core, instead
    of this process before parsing can start.
    """
    if not known:
        return [], SavedFiles(list(paths)), pl.DataFrame(schema=PAGE_FACTS_SCHEMA)
    by_path = {before.body_path: before for before in known.values() if before.body_path}
    to_parse: list[PageRef] = []
    unreadable: list[str] = []  # reported by the worker that tries to read them, in their turn
    skipped: list[tuple[KnownFile, str, FileVersion]] = []
    for path in paths:
        try:
            version = file_version(path)
        except OSError:
            unreadable.append(path)
            continue
        before = by_path.get(path)
        if before is None or not _same_version(before, version):
            page = file_page(path, version=version)
            before = known.get(page.url)
            if before is None:
                to_parse.append(page)
                continue
            if not _same_version(before, version):
                to_parse.append(replace(page, previous_hash=before.content_hash))
                continue
        skipped.append((before, path, version))
    return to_parse, SavedFiles(unreadable), facts.unchanged_file_facts(skipped)


def _same_version(known: KnownFile, version: FileVersion) -> bool:
    """The file is as loaded before: same size and times, and the same kind of address (a
    page read under a web address had a `.url` beside it; one read as a file had none)."""
    same_times = (known.byte_size, known.file_mtime_ns) == (version.size, version.mtime_ns)
    return same_times and version.has_address != known.url.startswith("file:")
