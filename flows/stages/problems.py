"""Quarantine rows for whole pages (or files) that could not be used."""

from __future__ import annotations

import json
from datetime import UTC, datetime

QUOTED_CHARS = 300  # of a bad value, quoted in a reason: enough to recognise it


def clip(text: str, limit: int = QUOTED_CHARS) -> str:
    """`text` on one line, cut to `limit` characters with its full length said: a reason
    quotes a bad value so a person can recognise it, not to copy a 1 MB quote into a log.

    >>> clip("x" * 400, 10)
    'xxxxxxxxxx… (400 chars)'
    """
    line = " ".join(text.split())
    return line if len(line) <= limit else f"{line[:limit]}… ({len(line):,} chars)"


def page_problem(
    run_id: str, url: str, stage: str, reason: str, layout: str | None = None, **facts: object
) -> dict:
    """One quarantine row: the source, the stage that gave up, and why."""
    return {
        "run_id": run_id,
        "source_url": url,
        "stage": stage,
        "reason": clip(reason, 500),
        "layout": layout,
        "review_id": None,
        "record": json.dumps({"url": url, **facts}, default=str),
        "quarantined_at": datetime.now(UTC),
    }
