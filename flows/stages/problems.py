"""Quarantine rows for whole pages (or files) that could not be used."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from parsers.base import clip


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
