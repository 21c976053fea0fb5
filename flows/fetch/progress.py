"""Progress of a crawl: a live bar on an interactive terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from typing import Protocol

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)


class CrawlProgress(Protocol):
    def grow(self, pages: int) -> None: ...
    def done(self, ok: bool) -> None: ...
    def close(self) -> None: ...


class LogProgress:
    """A line every `every_s` seconds: pages done / known, rate, errors."""

    def __init__(
        self, logger: logging.Logger | logging.LoggerAdapter, every_s: float = 5.0
    ) -> None:
        self._logger = logger
        self._every_s = every_s
        self._total = self._done = self._errors = 0
        self._started = self._last = time.monotonic()

    def grow(self, pages: int) -> None:
        self._total += pages

    def done(self, ok: bool) -> None:
        self._done += 1
        self._errors += not ok
        now = time.monotonic()
        if now - self._last >= self._every_s:
            self._last = now
            self._log(now)

    def close(self) -> None:
        self._log(time.monotonic())

    def _log(self, now: float) -> None:
        rate = self._done / max(now - self._started, 1e-9)
        self._logger.info(
            "fetched %d/%d pages (%.1f pages/s, %d errors)",
            self._done,
            self._total,
            rate,
            self._errors,
        )


class BarProgress:
    """rich's live bar: pages done / total, rate, errors, time left."""

    def __init__(self) -> None:
        self._bar = Progress(
            TextColumn("fetch"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:.1f} pages/s"),
            TextColumn("{task.fields[errors]} errors"),
            TimeRemainingColumn(),
            transient=True,
        )
        self._task: TaskID = self._bar.add_task("fetch", total=0, errors=0, rate=0.0)
        self._errors = self._done = 0
        self._started = time.monotonic()
        self._bar.start()

    def grow(self, pages: int) -> None:
        total = self._bar.tasks[0].total or 0
        self._bar.update(self._task, total=total + pages)

    def done(self, ok: bool) -> None:
        self._errors += not ok
        self._done += 1
        rate = self._done / max(time.monotonic() - self._started, 1e-9)
        self._bar.update(self._task, advance=1, errors=self._errors, rate=rate)

    def close(self) -> None:
        self._bar.stop()


def progress_for(logger: logging.Logger | logging.LoggerAdapter) -> CrawlProgress:
    return BarProgress() if sys.stderr.isatty() else LogProgress(logger)
