"""Backfill: ingest many movies or a long sources file in chunks, one ingest run per chunk.

Chunks run one after another as subflows, so each keeps its own run record, report and
atomic load, a failed chunk does not undo the others, and the warehouse never has two
writers. A movie is an RT slug (`the_departed`, `rt:the_departed`), a TV season
(`rt:tv/<show>/s01`) or a URL, resolved as `reviewhouse ingest` resolves it.
"""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from flows.fetch.urls import hide_password
from flows.ingest import DEFAULTS, ingest_reviews
from flows.options import IngestOptions
from flows.runs import RunRecord
from flows.sources import resolve_sources, rt_reviews_url


def _run_name() -> str:
    parameters = flow_run.parameters
    movies = parameters.get("movies") or []
    what = f"{len(movies)} movies" if movies else parameters.get("sources_file") or "nothing"
    return f"backfill {what}"


@flow(name="backfill-reviews", flow_run_name=_run_name)
def backfill_reviews(
    movies: list[str] | None = None,
    sources_file: str | None = None,
    chunk_size: int = 25,
    base_url: str | None = None,
    options: IngestOptions = DEFAULTS,
) -> dict[str, int]:
    """Ingest `movies` (slugs or URLs) and/or every source in `sources_file`, `chunk_size`
    sources a run, each run with `options`. `base_url` is the RT site to ask (default:
    `REVIEWHOUSE_RT_BASE_URL`, else the real one). Returns counts over all chunks; failed
    chunks are logged and counted."""
    logger = get_run_logger()
    sources = [rt_reviews_url(movie, base_url) for movie in movies or []]
    if sources_file:
        resolved = resolve_sources([f"@{sources_file}"])
        for skipped in resolved.skipped:
            logger.warning(skipped)
        sources += [*resolved.urls, *map(str, resolved.files), *map(str, resolved.datasets)]
    # Each chunk's run gets its sources as parameters, which Prefect stores and shows:
    # passwords stay in this process (`reveal_password` gives them back to the crawl).
    sources = [hide_password(source) for source in sources]
    chunks = [sources[start : start + chunk_size] for start in range(0, len(sources), chunk_size)]
    totals = {"chunks": len(chunks), "failed_chunks": 0, "reviews_new": 0, "reviews_loaded": 0}
    for number, chunk in enumerate(chunks, start=1):
        state = ingest_reviews(sources=chunk, options=options, return_state=True)
        run = state.result(raise_on_failure=False)
        if not isinstance(run, RunRecord) or run.status != "completed":
            totals["failed_chunks"] += 1
            logger.error("chunk %d of %d failed: %s", number, len(chunks), state.message)
            continue
        totals["reviews_new"] += run.reviews_new
        totals["reviews_loaded"] += run.reviews_loaded
        logger.info("chunk %d of %d: %s", number, len(chunks), run.summary_line())
    return totals
