"""A run's record: the `etl_runs` row it keeps up to date as it goes, and its summary line."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from flows.lifecycle import process_age_s
from warehouse.load import RunRow

_first_run = True  # of this process


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

    def summary_line(self, seconds: float | None = None) -> str:
        """One line for a terminal or a log: what the run did, and how long it took (the
        run's own time, unless `seconds` says otherwise: the whole command's)."""
        pages = f"{self.pages_read} pages read ({self.pages_failed} failed"
        pages += f", {self.pages_skipped} unchanged)" if self.pages_skipped else ")"
        reviews = (
            f"{self.reviews_loaded} reviews loaded ({self.reviews_new} new, "
            f"{self.reviews_updated} updated, {self.reviews_unchanged} unchanged), "
            f"{self.reviews_quarantined} quarantined"
        )
        took = self.seconds if seconds is None else seconds
        line = f"{self.status}: {pages}; {reviews}; {took:.1f} s"
        if self.error_summary:
            line += f" - {self.error_summary}"
        return line


def new_run(flow_name: str, parameters: dict[str, Any], sources: list[str]) -> RunRecord:
    """The record of a run starting now, in the current Prefect flow run (if any). Its
    start-up is the time its process took to get here (the interpreter, the imports,
    Prefect's server), for the first run of a process; later runs in it start at once."""
    from prefect.runtime import flow_run

    global _first_run
    startup_s = (process_age_s() or 0.0) if _first_run else 0.0
    _first_run = False
    run = RunRecord(
        run_id=f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
        started_at=datetime.now(UTC),
        flow_run_id=str(flow_run.id) if flow_run.id else None,
        flow_name=flow_name,
        parameters=parameters,
        sources=sources,
    )
    run.stage_seconds["startup"] = round(startup_s, 3)
    return run
