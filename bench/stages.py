"""Each benchmark stage, run in its own process so its CPU time and peak memory are its own.

    python -m bench.stages STAGE CONFIG_JSON RESULT_JSON

Every stage times only its work (not interpreter start-up or imports) and writes its
figures to RESULT_JSON; the parent adds CPU time and peak memory from the process's rusage.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import psutil

from bench import baseline

Config = dict[str, Any]


class PeakMemory:
    """Samples this process's resident memory in a thread; `.peak_mb` over the block."""

    def __init__(self, every_s: float = 0.05) -> None:
        self._process = psutil.Process()
        self._every_s = every_s
        self._stop = threading.Event()
        self.start_mb = self.peak_mb = 0.0

    def __enter__(self) -> PeakMemory:
        self.start_mb = self.peak_mb = self._rss_mb()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self._rss_mb())

    def _rss_mb(self) -> float:
        return self._process.memory_info().rss / 1e6

    def _sample(self) -> None:
        while not self._stop.wait(self._every_s):
            self.peak_mb = max(self.peak_mb, self._rss_mb())


def page_files(corpus: Path) -> list[Path]:
    return sorted(path for path in corpus.rglob("page-*") if path.suffix != ".url")


def urls(corpus: Path) -> list[str]:
    return [path.with_suffix(".url").read_text().strip() for path in page_files(corpus)]


def serve_url(url: str, base: str) -> str:
    """A corpus address moved onto the running corpus server."""
    return f"{base}/{url.split('/', 3)[3]}"


# --- our stages -----------------------------------------------------------------------------


def fetch(config: Config) -> dict:
    """The fetch stage as a run calls it (`fetch_pages`: crawler, raw store, the worker
    process that stores pages), from the seeds; with `again`, as a re-run that knows every
    page's ETag from the first run's facts."""
    from flows.fetch import KnownPage
    from flows.fetch.settings import FetchSettings
    from flows.stages.fetch import fetch_pages

    seeds = [
        serve_url(url, config["server"]) for url in json.loads(Path(config["seeds"]).read_text())
    ]
    settings = FetchSettings.unthrottled(
        concurrency=32, allow_hosts=frozenset({"127.0.0.1"}), max_pages=1000
    )
    work = Path(config["work"])
    first_facts = work / "fetch-first" / "fetch.web.parquet"
    known = {}
    if config.get("again"):
        known = {
            row["url"]: KnownPage.from_row(row)
            for row in pl.read_parquet(first_facts).iter_rows(named=True)
        }
    started = time.perf_counter()
    result = fetch_pages(
        seeds,
        settings=settings,
        store_dir=work / "store",
        known=known,
        staging_dir=work / ("fetch-again" if config.get("again") else "fetch-first"),
        run_id="bench",
    )
    seconds = time.perf_counter() - started
    fetched = pl.read_parquet(result.web_facts_paths)
    return {
        "seconds": seconds,
        "pages": fetched.height,
        "failed": result.failed,
        "unchanged": result.unchanged,
        "bytes": int(fetched.get_column("byte_size").fill_null(0).sum()),
    }


def parse(config: Config) -> dict:
    from selectolax.lexbor import LexborHTMLParser

    from flows.pages import file_page
    from flows.stages.parse import parse_pages
    from parsers import decode_body, parse_page

    files = page_files(Path(config["corpus"]))
    parse_s = dom_s = 0.0
    html_pages = 0
    for path in files:  # our parse and the bare DOM build, page by page, on the same text
        if path.suffix != ".html":
            continue
        text = decode_body(path.read_bytes())
        url = path.with_suffix(".url").read_text().strip()
        started = time.perf_counter()
        parse_page(text, url)
        parse_s += time.perf_counter() - started
        started = time.perf_counter()
        LexborHTMLParser(text)
        dom_s += time.perf_counter() - started
        html_pages += 1
    started = time.perf_counter()
    frames = []
    for start in range(0, len(files), 500):  # the stage as the pipeline runs it: files in
        batch = parse_pages([file_page(path) for path in files[start : start + 500]], "bench")
        frames.append(batch.raw)
    raw = pl.concat(frames)
    seconds = time.perf_counter() - started
    raw.write_parquet(Path(config["work"]) / "raw.parquet")
    full_size = _full_size_rt_pages()
    return {
        "seconds": seconds,
        "pages": len(files),
        "reviews": raw.height,
        "html_pages": html_pages,
        "parse_html_s": parse_s,
        "dom_html_s": dom_s,
        "parse_over_dom": parse_s / dom_s if dom_s else None,
        **full_size,
    }


def _full_size_rt_pages(repeat: int = 100) -> dict:
    """Pages per second on the real ~550 KB RT movie pages kept as test fixtures."""
    from parsers import decode_body, parse_page

    cases = Path(__file__).resolve().parent.parent / "tests" / "parsers" / "cases" / "rt_movie_page"
    pages = [
        (decode_body(p.read_bytes()), p.with_suffix(".url").read_text().strip())
        for p in sorted(cases.glob("*.html"))
    ]
    started = time.perf_counter()
    for _ in range(repeat):
        for text, url in pages:
            parse_page(text, url)
    seconds = time.perf_counter() - started
    return {
        "full_size_pages_per_s_per_core": repeat * len(pages) / seconds,
        "full_size_kb": sum(len(text) for text, _ in pages) / len(pages) / 1024,
    }


def transform(config: Config) -> dict:
    from transforms.normalize import normalize_reviews

    raw = pl.read_parquet(Path(config["work"]) / "raw.parquet")
    reviews, seconds = repeated(lambda: normalize_reviews(raw))
    reviews.write_parquet(Path(config["work"]) / "reviews.parquet")
    _, cast_s = repeated(lambda: cast_only(raw))
    return {
        "seconds": statistics.median(seconds),
        "all_seconds": seconds,
        "rows": raw.height,
        "reviews": reviews.height,
        "cast_only_s": statistics.median(cast_s),
    }


REPEATS = 3  # the short in-memory stages run this often; their median is reported


def repeated(work: Callable[[], Any], times: int = REPEATS) -> tuple[Any, list[float]]:
    """`work`'s result and its wall time on each of `times` runs: on a shared machine one
    run of a few seconds can be twice as slow as the next."""
    seconds = []
    for _ in range(times):
        result = None  # one run's result in memory at a time, as in a real run
        started = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - started)
    return result, seconds


def cast_only(raw: pl.DataFrame) -> pl.DataFrame:
    """One Polars pass that only casts the same columns to their target types."""
    return raw.select(
        pl.col("date_raw").str.to_date("%B %d, %Y", strict=False),
        pl.col("score_raw").str.extract(r"([\d.]+)", 1).cast(pl.Float64, strict=False),
        pl.col("quote_raw").str.strip_chars(),
        pl.col("critic_name").str.strip_chars(),
        pl.col("publication").str.strip_chars(),
        pl.col("movie_title").str.strip_chars(),
        pl.col("sentiment").str.to_lowercase() == "fresh",
        pl.concat_str("movie_slug", "critic_name", "date_raw", "quote_raw").hash(),
    )


def validate(config: Config) -> dict:
    from expectations.validate import validate_batch
    from flows.stages import dimensions

    reviews = pl.read_parquet(Path(config["work"]) / "reviews.parquet")
    dims = dimensions(reviews)

    def run():
        return validate_batch(
            run_id="bench",
            reviews=reviews,
            movies=dims["movies"],
            critics=dims["critics"],
            publications=dims["publications"],
            pages_parsed=1,
            warehouse_counts=None,
            reports_dir=Path(config["work"]) / "reports",
        )

    with PeakMemory() as memory:  # what one validation adds, as a run's process sees it
        report, first = repeated(run, times=1)
    _, more = repeated(run, times=REPEATS - 1)
    seconds = first + more
    return {
        "seconds": statistics.median(seconds),
        "all_seconds": seconds,
        "rows": reviews.height,
        "passed": report.passed,
        "quarantined": report.quarantine.height,
        "added_memory_mb": memory.peak_mb - memory.start_mb,
    }


def load(config: Config) -> dict:
    from flows.stages import dimensions
    from transforms.schema import QUARANTINE_SCHEMA
    from warehouse.load import LoadBatch, RunRow, load_run
    from warehouse.publish import writing

    work = Path(config["work"])
    reviews = pl.read_parquet(work / "reviews.parquet")
    tables = {}
    for name, frame in {
        **dimensions(reviews),
        "quarantine": pl.DataFrame(schema=QUARANTINE_SCHEMA),
    }.items():
        frame.write_parquet(work / f"{name}.parquet")
        tables[name] = [str(work / f"{name}.parquet")]
    rows = reviews.height
    del reviews
    batch = LoadBatch(
        reviews=[str(work / "reviews.parquet")], raw=[str(work / "raw.parquet")], **tables
    )
    warehouse = work / "load.duckdb"

    def load_into(run_id: str):
        with writing(warehouse) as con:
            return load_run(con, batch, RunRow(run_id, datetime.now(UTC)))

    def first_load():
        warehouse.unlink(missing_ok=True)
        return load_into("first")

    first, first_s = repeated(first_load)
    again, (again_s,) = repeated(lambda: load_into("again"), times=1)
    return {
        "seconds": statistics.median(first_s),
        "all_seconds": first_s,
        "rows": rows,
        "new": first.new,
        "reload_s": again_s,
        "reload_changed": again.new + again.updated,
        "warehouse_mb": warehouse.stat().st_size / 1e6,
    }


def pipeline(config: Config) -> dict:
    """The flow, in this process, twice: from scratch, then over the unchanged corpus."""
    from prefect.client.orchestration import get_client

    from flows.ingest import ingest_reviews
    from flows.options import IngestOptions

    warehouse = Path(config["work"]) / "pipeline.duckdb"
    results = []
    for _attempt in ("first", "incremental"):
        started = time.perf_counter()
        state = ingest_reviews(
            sources=[config["corpus"]],
            options=IngestOptions(warehouse=str(warehouse), runner=config["runner"]),
            return_state=True,
        )
        seconds = time.perf_counter() - started
        run = state.result()
        with get_client(sync_client=True) as client:
            from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId

            flow_run = client.read_flow_run(state.state_details.flow_run_id)
            subflows = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[flow_run.id])
                )
            )
            task_runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id={"any_": [flow_run.id, *(f.id for f in subflows)]})
            )
        results.append(
            {
                "seconds": seconds,
                "reviews": run.reviews_loaded,
                "pages": run.pages_read,
                "skipped": run.pages_skipped,
                "task_runs": len([t for t in task_runs if t.flow_run_id is not None]),
                "stage_seconds": run.stage_seconds,
            }
        )
    first, incremental = results
    return {
        **first,
        "incremental_s": incremental["seconds"],
        "incremental_skipped": incremental["skipped"],
    }


def direct(config: Config) -> dict:
    """The same stages as the flow, called directly: the yardstick for Prefect's overhead."""
    from expectations.validate import validate_batch
    from flows import batches as batch_files
    from flows import stages
    from flows.execution import batch_sizes
    from flows.sources import resolve_sources
    from warehouse.load import LoadBatch, RunRow, load_run
    from warehouse.publish import writing

    work = Path(config["work"]) / "direct"
    warehouse = work / "direct.duckdb"
    started = time.perf_counter()
    resolved = resolve_sources([config["corpus"]])
    _, saved, _ = stages.local_pages(resolved.files, {})  # a first run: saved files, as paths
    paths = saved.paths
    starts = [0, *itertools.accumulate(batch_sizes(len(paths), config["batch_size"]))]
    listed = [
        batch_files.save_batch([], paths[start:end], work / f"batch-{number:05d}.pages.pickle")
        for number, (start, end) in enumerate(itertools.pairwise(starts))
    ]
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        batches = list(pool.map(_stage, listed, range(len(listed)), [str(work)] * len(listed)))
    reviews, quarantine = stages.read_staged(batches)
    dims = stages.dimensions(reviews)
    report = validate_batch(
        run_id="direct",
        reviews=reviews,
        movies=dims["movies"],
        critics=dims["critics"],
        publications=dims["publications"],
        pages_parsed=len(paths),
        warehouse_counts=None,
        reports_dir=work / "reports",
    )
    final = stages.dimensions(report.reviews)
    with writing(warehouse) as con:
        load_run(
            con,
            LoadBatch(
                reviews=report.reviews,
                quarantine=pl.concat([quarantine, report.quarantine]),
                raw=[p for b in batches for p in b.raw_paths],
                **final,
            ),
            RunRow("direct", datetime.now(UTC)),
        )
    return {"seconds": time.perf_counter() - started, "reviews": report.reviews.height}


def _stage(listed: str, number: int, work: str):
    from flows.batches import stage_batch_file
    from flows.fetch.settings import MAX_PAGE_BYTES

    return stage_batch_file(
        listed,
        batch_number=number,
        staging_dir=Path(work),
        run_id="direct",
        max_page_bytes=MAX_PAGE_BYTES,
    )


# --- the baseline -----------------------------------------------------------------------------


def baseline_run(config: Config) -> dict:
    sample = json.loads(Path(config["sample"]).read_text())
    addresses = [serve_url(url, config["server"]) for url in sample]
    timings: dict[str, float] = {}

    def timed(name: str, work: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = work()
        timings[name] = time.perf_counter() - started
        return result

    pages = timed("fetch", lambda: baseline.fetch(addresses))
    records = timed(
        "parse",
        lambda: [
            record
            for (_url, text), original in zip(pages, sample, strict=True)
            for record in baseline.parse(original, text)
        ],
    )
    frame = timed("transform", lambda: baseline.transform(records))
    warehouse = Path(config["work"]) / "baseline.duckdb"
    warehouse.unlink(missing_ok=True)
    timed("load", lambda: baseline.load(frame, str(warehouse)))
    frame.drop(columns=["review_date"]).assign(
        review_date=frame["review_date"].astype(str)
    ).to_parquet(Path(config["work"]) / "baseline.parquet")
    return {
        "seconds": sum(timings.values()),
        "pages": len(pages),
        "reviews": len(frame),
        **{f"{k}_s": v for k, v in timings.items()},
    }


STAGES = {
    "fetch": fetch,
    "parse": parse,
    "transform": transform,
    "validate": validate,
    "load": load,
    "pipeline": pipeline,
    "direct": direct,
    "baseline": baseline_run,
}


def main() -> None:
    stage, config_path, result_path = sys.argv[1:4]
    config = json.loads(Path(config_path).read_text())
    result = STAGES[stage](config)
    Path(result_path).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
