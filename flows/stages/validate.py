"""The validate stage: a run's gathered batch checked, and the checked tables staged for the
load as Parquet. It runs in the run's validation process when there is one
(`flows.execution`), so what it takes and returns is small or lazy, and pickles.

Great Expectations is imported when the stage runs, not with this module: only the process
that validates pays for it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from expectations.settings import ValidationSettings
from flows.pages import file_page
from flows.stages.combine import Gathered, dimensions, gather
from flows.stages.parse import stage_batch

# A page in the oldest layout, with one review: what `warm_up` validates.
_WARM_UP_PAGE = b"""Warm-up - Movie Reviews - Rotten Tomatoes

Warm-up Reviews

Page 1 of 1
March 3, 2006
A made-up review, validated once so that the real batch is not the first.
Full Review | Original Score: 3.5/4
"""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What validation decided, and where the checked tables are (Parquet, by table)."""

    tables: dict[str, list[str]]  # reviews, movies, critics, publications, quarantine, ...
    reviews_quarantined: int
    batch_failures: list[str] = field(default_factory=list)
    warnings: dict[str, int] = field(default_factory=dict)
    report_path: str | None = None
    top_reasons: list[tuple[str, int]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.batch_failures


def validate_staged(
    gathered: Gathered,
    held: pl.DataFrame | None,
    *,
    run_id: str,
    pages_parsed: int,
    reports_dir: str,
    staging_dir: str,
    settings: ValidationSettings,
) -> Verdict:
    """Validate the run's gathered batch and stage what passed; `held`: per movie, the
    reviews the warehouse already holds from the same pages (for the movie-loss check)."""
    from expectations.validate import validate_batch

    dims = gathered.dimensions
    report = validate_batch(
        run_id=run_id,
        reviews=gathered.staged.reviews,
        movies=dims["movies"],
        critics=dims["critics"],
        publications=dims["publications"],
        pages_parsed=pages_parsed,
        warehouse_counts=held,
        reports_dir=reports_dir,
        settings=settings,
    )
    directory = Path(staging_dir) / "validated"
    directory.mkdir(parents=True, exist_ok=True)
    tables: dict[str, list[str]] = {}
    if gathered.staged.review_files and not gathered.staged.merged and report.quarantine.is_empty():
        tables["reviews"] = list(gathered.staged.review_files)  # load them as they are
    else:
        tables["reviews"] = [str(directory / "reviews.parquet")]
        report.reviews.lazy().sink_parquet(tables["reviews"][0], compression="lz4")
    if report.quarantine.height:  # the dimensions change only if validation took rows out
        dims = dimensions(report.reviews, gathered.snapshots)
    quarantine = pl.concat([gathered.quarantine, report.quarantine])
    frames = {
        **dims,
        "score_snapshots": gathered.snapshots,
        "quarantine": quarantine,
        "validation_results": report.results,
    }
    for name, frame in frames.items():
        frame.write_parquet(directory / f"{name}.parquet", compression="lz4")
        tables[name] = [str(directory / f"{name}.parquet")]
    return Verdict(
        tables=tables,
        reviews_quarantined=report.quarantine.height,
        batch_failures=report.batch_failures,
        warnings=report.warnings,
        report_path=str(report.docs_index) if report.docs_index else None,
        top_reasons=top_reasons(quarantine),
    )


def warm_up() -> None:
    """Validate a made-up one-review batch in a scratch folder. A process's first validation
    costs about a second more than the next (Great Expectations imports and builds much of
    what it uses on first use); a process that will validate pays that here, while the run
    is still fetching and parsing."""
    with tempfile.TemporaryDirectory(prefix="reviewhouse-warm-up-") as scratch:
        page = Path(scratch) / "warm-up.txt"
        page.write_bytes(_WARM_UP_PAGE)
        staged = stage_batch(
            [file_page(page)], batch_number=0, staging_dir=Path(scratch), run_id="warm-up"
        )
        validate_staged(
            gather([staged], "warm-up"),
            None,
            run_id="warm-up",
            pages_parsed=1,
            reports_dir=str(Path(scratch) / "reports"),
            staging_dir=scratch,
            settings=ValidationSettings(),
        )


def top_reasons(quarantine: pl.DataFrame, limit: int = 5) -> list[tuple[str, int]]:
    """The most frequent quarantine reasons, without the per-row evidence after ': '."""
    if quarantine.is_empty():
        return []
    reasons = quarantine.select(
        pl.concat_str(pl.col("stage"), pl.lit(": "), pl.col("reason").str.replace(r": \w+=.*$", ""))
    ).to_series()
    counts = reasons.value_counts(sort=True).head(limit)
    return [(reason, count) for reason, count in counts.iter_rows()]
