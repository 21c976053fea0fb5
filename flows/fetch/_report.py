"""What a crawl learns: each URL's outcome, the crawl's report, and what the last run knew."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flows.fetch.pages import PageRef


@dataclass(frozen=True, slots=True)
class KnownPage:
    """What the last run learned about a URL: for conditional requests and change checks."""

    content_hash: str
    body_path: str
    etag: str | None = None
    last_modified: str | None = None
    links: tuple[str, ...] | None = None  # the page's links to other pages, as last found

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> KnownPage:
        """From a row of page facts (the `pages` table, or a fetch's web facts)."""
        links = row["links"]
        return cls(
            content_hash=row["content_hash"],
            body_path=row["body_path"],
            etag=row["etag"],
            last_modified=row["last_modified"],
            links=None if links is None else tuple(links),
        )


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """One URL's fate: a new or changed page, an unchanged one, or an error saying why."""

    url: str  # as asked for, normalised, its password redacted
    seed: str  # the URL whose crawl led here (itself for a seed), redacted alike
    fetched_at: datetime
    status: int | None = None
    final_url: str | None = None
    page: PageRef | None = None  # a new or changed body, ready to parse
    unchanged: bool = False  # 304, or the same bytes as the stored version
    error: str | None = None
    attempts: int = 0
    content_hash: str | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    headers: str | None = None  # JSON of the response headers kept
    byte_size: int | None = None
    body_path: str | None = None
    links: tuple[str, ...] = ()  # pagination and next-page links found on the page


@dataclass(slots=True)
class CrawlReport:
    """The fetch stage's result: every URL's outcome, and how long the crawl took."""

    outcomes: list[FetchOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def pages(self) -> list[PageRef]:
        """The new or changed pages, ready to parse."""
        return [outcome.page for outcome in self.outcomes if outcome.page is not None]

    @property
    def failed(self) -> list[FetchOutcome]:
        return [outcome for outcome in self.outcomes if outcome.error]

    @property
    def unchanged(self) -> int:
        return sum(outcome.unchanged for outcome in self.outcomes)
