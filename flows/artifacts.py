"""What a run shows in the Prefect UI: counts per stage, warnings, the validation report.

Much of what a run reports came from pages and servers (quarantine reasons quote a page's
values, a server's Content-Type, URLs), and the UI renders the artifact as Markdown: every
text value goes through `md_text`, which makes it one inert line of text, capped in length.
"""

from __future__ import annotations

import re
from pathlib import Path

from flows.runs import RunRecord

# Characters a value could start Markdown or HTML with, inline or in a table cell. Escaped
# with a backslash (CommonMark lets any ASCII punctuation be escaped; GFM tables split cells
# at unescaped pipes only), except `&<>`, written as entities so no HTML tag or entity
# survives, whatever the renderer does with backslashes before them.
_BACKSLASHED = re.compile(r"([\\`*_\[\](){}#!|~])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Line breaks of every kind, tabs and other control characters: a value stays on its line.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# A list marker or heading underline at the very start of a value, or an ordered list's
# number (`1.`; `1)` has its parenthesis escaped already): its last character is escaped.
_LEADING_MARKER = re.compile(r"[-+=]|\d+\.")
MAX_VALUE_CHARS = 200


def md_text(value: object, limit: int = MAX_VALUE_CHARS) -> str:
    """`value` as one line of inert Markdown text: its line breaks made spaces, at most
    `limit` characters of it kept (the full length said), and everything Markdown or HTML
    would act on escaped.

    >>> print(md_text("image/png | ![pix](http://x/p.png)\\n<img src=x>"))
    image/png \\| \\!\\[pix\\]\\(http://x/p.png\\) &lt;img src=x&gt;
    >>> md_text("a" * 205, limit=10)
    'aaaaaaaaaa… (205 chars)'
    """
    whole = _BREAKS.sub(" ", str(value)).strip()
    text = "".join(_ENTITIES.get(char, char) for char in whole[:limit])
    text = _BACKSLASHED.sub(r"\\\1", text)
    if marker := _LEADING_MARKER.match(text):
        text = f"{text[: marker.end() - 1]}\\{text[marker.end() - 1 :]}"
    return f"{text}… ({len(whole)} chars)" if len(whole) > limit else text


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
        f"# reviewhouse run {md_text(run.run_id)}: {md_text(run.status)}",
        "",
        "| stage | count |",
        "|---|---:|",
        *(f"| {name} | {int(value)} |" for name, value in rows),
        "",
        "| stage | seconds |",
        "|---|---:|",
        *(f"| {md_text(name)} | {seconds:.2f} |" for name, seconds in run.stage_seconds.items()),
    ]
    if run.error_summary:
        lines += ["", f"**Load stopped:** {md_text(run.error_summary, limit=1000)}"]
    if top_reasons:
        lines += ["", "## Top quarantine reasons", "", "| stage: reason | rows |", "|---|---:|"]
        lines += [f"| {md_text(reason)} | {int(count)} |" for reason, count in top_reasons]
    if run.warnings:
        lines += ["", "## Validation warnings (not blocking)", ""]
        lines += [f"- {md_text(reason)}: {int(count)}" for reason, count in run.warnings.items()]
    if run.report_path:
        # as_uri percent-encodes what could end the link early: spaces, parentheses
        link = Path(run.report_path).resolve().as_uri()
        text = md_text(run.report_path, limit=1000)
        lines += ["", f"Validation report (GX Data Docs): [{text}]({link})"]
    return "\n".join(lines)


def publish_run_artifacts(run: RunRecord, top_reasons: list[tuple[str, int]] | None = None) -> None:
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(
        markdown=run_markdown(run, top_reasons),
        key="reviewhouse-run",
        description=md_text(f"reviewhouse run {run.run_id}: {run.status}"),
    )
