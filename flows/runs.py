"""A run's record: the `etl_runs` row it keeps up to date as it goes, and its summary line."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from warehouse.load import RunRow


class RunRecord(RunRow):
    """One run, as `etl_runs` records it: what every flow returns.

    >>> run = RunRecord("r1", datetime(2026, 1, 1, tzinfo=UTC), status="completed")
    >>> run.ended_at = datetime(2026, 1, 1, 0, 0, 2, tzinfo=UTC)
    >>> print(run.summary_line().replace("; ", "\\n"))
    completed: 0 pages read (0 failed)
    0 reviews loaded (0 new, 0 updated, 0 unchanged), 0 quarantined
    2.0 s
    """

    __slots__ = ()

    @property
    def seconds(self) -> float:
        if self.ended_at is None:
            return 0.0
        return (self.ended_at - self.started_at).total_seconds()

    def summary_line(self) -> str:
        """One line for a terminal or a log: what the run did."""
        pages = f"{self.pages_read} pages read ({self.pages_failed} failed"
        pages += f", {self.pages_skipped} unchanged)" if self.pages_skipped else ")"
        reviews = (
            f"{self.reviews_loaded} reviews loaded ({self.reviews_new} new, "
            f"{self.reviews_updated} updated, {self.reviews_unchanged} unchanged), "
            f"{self.reviews_quarantined} quarantined"
        )
        line = f"{self.status}: {pages}; {reviews}; {self.seconds:.1f} s"
        if self.error_summary:
            line += f" - {self.error_summary}"
        return line


def new_run(flow_name: str, parameters: dict[str, Any], sources: list[str]) -> RunRecord:
    """The record of a run starting now, in the current Prefect flow run (if any)."""
    from prefect.runtime import flow_run

    return RunRecord(
        run_id=f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
        started_at=datetime.now(UTC),
        flow_run_id=str(flow_run.id) if flow_run.id else None,
        flow_name=flow_name,
        parameters=parameters,
        sources=sources,
    )
