"""What a run shows in the Prefect UI: counts per stage, warnings, the validation report."""

from __future__ import annotations

from pathlib import Path

from prefect.artifacts import create_markdown_artifact

from warehouse.load import RunRecord


def run_markdown(run: RunRecord, top_reasons: list[tuple[str, int]] | None = None) -> str:
    rows = [
        ("pages read", run.pages_read),
        ("pages failed", run.pages_failed),
        ("pages unchanged (skipped)", run.pages_skipped),
        ("reviews parsed", run.reviews_parsed),
        ("reviews quarantined", run.reviews_quarantined),
        ("reviews loaded", run.reviews_loaded),
        ("… new", run.reviews_new),
        ("… updated", run.reviews_updated),
        ("… unchanged", run.reviews_unchanged),
    ]
    lines = [
        f"# reviewhouse run `{run.run_id}`: {run.status}",
        "",
        "| stage | count |",
        "|---|---:|",
        *(f"| {name} | {value} |" for name, value in rows),
        "",
        "| stage | seconds |",
        "|---|---:|",
        *(f"| {name} | {seconds:.2f} |" for name, seconds in run.stage_seconds.items()),
    ]
    if run.error_summary:
        lines += ["", f"**Load stopped:** {run.error_summary}"]
    if top_reasons:
        lines += ["", "## Top quarantine reasons", "", "| stage: reason | rows |", "|---|---:|"]
        lines += [f"| {reason} | {count} |" for reason, count in top_reasons]
    if run.warnings:
        lines += ["", "## Validation warnings (not blocking)", ""]
        lines += [f"- {reason}: {count}" for reason, count in run.warnings.items()]
    if run.report_path:
        link = Path(run.report_path).as_uri()
        lines += ["", f"Validation report (GX Data Docs): [{run.report_path}]({link})"]
    return "\n".join(lines)


def publish_run_artifacts(run: RunRecord, top_reasons: list[tuple[str, int]] | None = None) -> None:
    create_markdown_artifact(
        markdown=run_markdown(run, top_reasons),
        key="reviewhouse-run",
        description=f"reviewhouse run {run.run_id}: {run.status}",
    )
