"""Validation: the step between transform and load.

Row-tier failures become quarantine rows naming the failed expectation; batch-tier failures
stop the load; warnings are counted. Every result is also returned as rows for the
warehouse's `validation_results` table, and the run's Data Docs are rebuilt.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import great_expectations as gx
import pandas as pd
import polars as pl
from great_expectations.core.run_identifier import RunIdentifier

from expectations import frames, suites
from expectations.context import DATASOURCE, docs_index, open_context
from expectations.offline_docs import make_offline, pages_written_since
from expectations.settings import ValidationSettings
from parsers.base import QUOTED_CHARS, clip
from transforms.schema import QUARANTINE_SCHEMA, VALIDATION_RESULTS_SCHEMA


@dataclass(slots=True)
class ValidationReport:
    """What validation decided about one run's batch."""

    reviews: pl.DataFrame  # the rows that passed the row tier
    quarantine: pl.DataFrame  # QUARANTINE_SCHEMA
    results: pl.DataFrame  # VALIDATION_RESULTS_SCHEMA
    batch_failures: list[str] = field(default_factory=list)
    warnings: dict[str, int] = field(default_factory=dict)
    docs_index: Path | None = None

    @property
    def passed(self) -> bool:
        return not self.batch_failures


@dataclass(frozen=True, slots=True)
class _SuiteRun:
    suite: str
    outcome: Any  # ExpectationSuiteValidationResult
    batch_definition: Any


def validate_batch(
    *,
    run_id: str,
    reviews: pl.DataFrame | pl.LazyFrame,
    movies: pl.DataFrame,
    critics: pl.DataFrame,
    publications: pl.DataFrame,
    pages_parsed: int,
    warehouse_counts: pl.DataFrame | None,
    reports_dir: str | Path,
    settings: ValidationSettings | None = None,
    today: date | None = None,
) -> ValidationReport:
    """Run every suite over the batch. `warehouse_counts` (movie_id, reviews) holds what the
    warehouse already has from the same pages, for the movie-loss check.

    `reviews` may be lazy (a scan of a run's batch files): only the checked columns are then
    collected, long text as its length, and the report's `reviews` stays lazy too."""
    settings = settings or ValidationSettings()
    today = today or datetime.now(UTC).date()
    context = open_context(reports_dir)
    gx_run = RunIdentifier(run_name=run_id, run_time=datetime.now(UTC))
    runner = _SuiteRunner(context, gx_run)

    checked = frames.reviews_frame(reviews)
    row_run = runner.run(suites.reviews_suite(settings, today), checked.frame)
    failing = {
        expectation: checked.ids_at(rows)
        for expectation, rows in runner.failing_rows(row_run, checked.frame).items()
    }
    failed_ids, quarantine, warnings = _row_failures(row_run, failing, reviews, run_id)
    kept = reviews.filter(~pl.col("review_id").is_in(failed_ids)) if failed_ids else reviews
    kept_count, unparsed_scores = (
        kept.lazy().select(pl.len(), (pl.col("score_status") == "unparsed").sum()).collect().row(0)
    )

    summary = frames.batch_summary_frame(
        run_id,
        pages_parsed=pages_parsed,
        reviews=kept_count,
        quarantined=len(failed_ids),
        unparsed_scores=unparsed_scores,
    )
    batch_runs = [runner.run(suites.reviews_batch_suite(settings), summary)]
    if warehouse_counts is not None and not warehouse_counts.is_empty():
        batch_counts = kept.lazy().group_by("movie_id").agg(pl.len().alias("reviews")).collect()
        batch_runs.append(
            runner.run(
                suites.movies_batch_suite(settings),
                frames.movie_loss_frame(batch_counts, warehouse_counts),
            )
        )
    batch_runs += [
        runner.run(
            suites.movies_suite(today), frames.dimension_frame(movies, list(movies.columns))
        ),
        runner.run(suites.critics_suite(), frames.dimension_frame(critics, list(critics.columns))),
        runner.run(
            suites.publications_suite(),
            frames.dimension_frame(publications, list(publications.columns)),
        ),
    ]
    batch_failures = [
        _describe_failure(suite_run.suite, result)
        for suite_run in batch_runs
        for result in suite_run.outcome.results
        if not result.success
    ]
    all_runs = [row_run, *batch_runs]
    return ValidationReport(
        reviews=kept,
        quarantine=quarantine,
        results=_results_rows(all_runs, run_id),
        batch_failures=batch_failures,
        warnings=warnings,
        docs_index=runner.build_docs(reports_dir),
    )


class _SuiteRunner:
    """Runs suites against pandas frames in one GX context.

    Every suite runs once with the SUMMARY result format: counts and a sample of values, kept
    in the context's store for the Data Docs. Only row-tier expectations that failed are run
    again, unstored, with COMPLETE results and `unexpected_index_column_names`, to name the
    rows to quarantine: listing every matching row index of every expectation on a million
    rows, and storing that in JSON, would cost more than the validation itself.
    """

    def __init__(self, context: gx.data_context.FileDataContext, gx_run: RunIdentifier) -> None:
        self.context = context
        self.gx_run = gx_run
        self.datasource = context.data_sources.add_or_update_pandas(DATASOURCE)

    def run(self, suite: gx.ExpectationSuite, frame: pd.DataFrame) -> _SuiteRun:
        asset = _get_or_add(self.datasource, suite.name)
        batch = _get_or_add_batch(asset)
        suite = self.context.suites.add_or_update(suite)
        definition = self.context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=suite)
        )
        outcome = definition.run(
            batch_parameters={"dataframe": frame},
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": 20},
            run_id=self.gx_run,
        )
        return _SuiteRun(suite.name, outcome, batch)

    def failing_rows(self, suite_run: _SuiteRun, frame: pd.DataFrame) -> dict[str, list[Any]]:
        """Keys of the rows each failed row-tier expectation rejected (by expectation id)."""
        failed = [
            result.expectation_config
            for result in suite_run.outcome.results
            if not result.success
            and (result.expectation_config.meta or {}).get("tier") == suites.ROW
        ]
        if not failed:
            return {}
        suite = gx.ExpectationSuite(name=f"{suite_run.suite}_failing_rows")
        for config in failed:
            suite.add_expectation_configuration(config)
        key = suites.SUITE_KEYS[suite_run.suite]
        outcome = suite_run.batch_definition.get_batch(
            batch_parameters={"dataframe": frame}
        ).validate(
            suite,
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [key]},
        )
        return {
            result.expectation_config.id: [
                entry[key] for entry in result.result.get("unexpected_index_list") or []
            ]
            for result in outcome.results
        }

    def build_docs(self, reports_dir: str | Path) -> Path | None:
        """Render this run's validation results and the index (not every past run again)."""
        store = self.context.validation_results_store
        keys = [key for key in store.list_keys() if key.run_id.run_name == self.gx_run.run_name]
        started = time.time() - 1  # file times are coarse on some file systems
        self.context.build_data_docs(resource_identifiers=keys)
        index = docs_index(reports_dir)
        make_offline(index.parent, pages_written_since(index.parent, started))
        return index if index.exists() else None


def _get_or_add(datasource: Any, name: str) -> Any:
    try:
        return datasource.get_asset(name)
    except LookupError:
        return datasource.add_dataframe_asset(name)


def _get_or_add_batch(asset: Any) -> Any:
    try:
        return asset.get_batch_definition("whole")
    except (KeyError, LookupError):
        return asset.add_batch_definition_whole_dataframe("whole")


# The raw value a reader needs to see when a derived column fails.
_EVIDENCE_COLUMN: dict[str, str] = {
    "review_date": "date_raw",
    "score_status": "score_raw",
    "score_kind": "score_raw",
    "score_normalized": "score_raw",
    "quote_chars": "quote",
    "critic_name_chars": "critic_name",
    "publication_name_chars": "publication_name",
}


def _row_failures(
    row_run: _SuiteRun,
    failing: dict[str, list[Any]],
    reviews: pl.DataFrame | pl.LazyFrame,
    run_id: str,
) -> tuple[list[str], pl.DataFrame, dict[str, int]]:
    """Review ids that failed a row-tier expectation, their quarantine rows, warning counts."""
    failures: list[dict[str, Any]] = []
    warnings: dict[str, int] = {}
    for result in row_run.outcome.results:
        if result.success:
            continue
        config = result.expectation_config
        meta = config.meta or {}
        if meta.get("tier") == suites.WARNING:
            warnings[meta["reason"]] = int(result.result.get("unexpected_count") or 0)
            continue
        column = config.kwargs.get("column")
        reason = f"{meta.get('reason', config.type)} [{config.type} on {column}]"
        failures.extend(
            {"review_id": review_id, "reason": reason, "evidence": _EVIDENCE_COLUMN.get(column)}
            for review_id in failing.get(config.id, [])
        )
    if not failures:
        return [], _empty(QUARANTINE_SCHEMA), warnings
    failing_ids = sorted({failure["review_id"] for failure in failures})
    reviews = reviews.lazy().filter(pl.col("review_id").is_in(failing_ids)).collect()
    failed = pl.DataFrame(
        failures, schema={"review_id": pl.String, "reason": pl.String, "evidence": pl.String}
    ).join(reviews, on="review_id", how="inner")
    evidence_value = quoted(
        pl.coalesce(
            pl.when(pl.col("evidence") == name).then(pl.col(name).cast(pl.String))
            for name in sorted(set(_EVIDENCE_COLUMN.values()))
        )
    )
    described = pl.concat_str(
        pl.col("reason"),
        pl.concat_str(
            pl.lit(": "), pl.col("evidence"), pl.lit("="), evidence_value.fill_null("NULL")
        ),
        ignore_nulls=True,
    )
    reasons = failed.group_by("review_id", maintain_order=True).agg(
        described.unique(maintain_order=True).str.join("; ").alias("reason")
    )
    rows = reviews.join(reasons, on="review_id", how="inner")
    quarantine = rows.select(
        pl.lit(run_id).alias("run_id"),
        "source_url",
        pl.lit("validate").alias("stage"),
        "reason",
        pl.col("source_layout").alias("layout"),
        "review_id",
        pl.struct(pl.exclude("reason")).struct.json_encode().alias("record"),
        pl.lit(datetime.now(UTC)).alias("quarantined_at"),
    ).cast(dict(QUARANTINE_SCHEMA))
    return reasons.get_column("review_id").to_list(), quarantine, warnings


def quoted(value: pl.Expr, limit: int = QUOTED_CHARS) -> pl.Expr:
    """A bad value as a reason quotes it: on one line and cut to `limit` characters with its
    full length said, so a 1 MB quote never becomes a 1 MB reason or log line."""
    line = value.str.replace_all(r"\s+", " ")
    length = line.str.len_chars()
    return (
        pl.when(length > limit)
        .then(
            pl.concat_str(
                line.str.slice(0, limit), pl.lit("… ("), length.cast(pl.String), pl.lit(" chars)")
            )
        )
        .otherwise(line)
    )


def _results_rows(runs: list[_SuiteRun], run_id: str) -> pl.DataFrame:
    now = datetime.now(UTC)
    rows = []
    for suite_run in runs:
        for result in suite_run.outcome.results:
            config = result.expectation_config
            meta = config.meta or {}
            observed = result.result.get("observed_value")
            rows.append(
                {
                    "run_id": run_id,
                    "suite": suite_run.suite,
                    "expectation": config.type,
                    "column_name": config.kwargs.get("column"),
                    "tier": meta.get("tier"),
                    "severity": str(getattr(config, "severity", "critical")).split(".")[-1].lower(),
                    "success": bool(result.success),
                    "observed_value": None if observed is None else json.dumps(_plain(observed)),
                    "unexpected_count": result.result.get("unexpected_count"),
                    "element_count": result.result.get("element_count"),
                    "reason": meta.get("reason"),
                    "validated_at": now,
                }
            )
    return pl.DataFrame(rows, schema=VALIDATION_RESULTS_SCHEMA)


def _describe_failure(suite: str, result: Any) -> str:
    config = result.expectation_config
    reason = (config.meta or {}).get("reason", config.type)
    observed = result.result.get("observed_value")
    unexpected = result.result.get("partial_unexpected_list") or []
    detail = f"observed {_plain(observed)!r}" if observed is not None else ""
    if unexpected:
        detail = f"values {[_short(_plain(v)) for v in unexpected[:3]]}"
    return f"{suite}: {reason}" + (f" ({detail})" if detail else "")


def _short(value: Any) -> Any:
    """A value quoted in a batch failure, cut like `quoted` cuts a row's."""
    return clip(value, QUOTED_CHARS) if isinstance(value, str) else value


def _plain(value: Any) -> Any:
    """A JSON-friendly scalar: numpy/pandas values and NaN made plain."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "item"):
        return _plain(value.item())
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _empty(schema: pl.Schema) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)
