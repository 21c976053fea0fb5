"""The one small interface every page-layout parser implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from parsers.records import RawReview, RawScorecard


class ParseError(Exception):
    """A page could not be turned into reviews. Carries the layout that was tried and why."""

    def __init__(self, reason: str, *, layout: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.layout = layout

    def __str__(self) -> str:
        return f"{self.layout}: {self.reason}" if self.layout else self.reason


class UnknownLayoutError(ParseError):
    """No parser recognised the page."""


@dataclass(frozen=True, slots=True)
class ParsedPage:
    """What one page holds: its reviews plus what the page says about its neighbours."""

    layout: str
    reviews: list[RawReview]
    page_number: int | None = None
    page_count: int | None = None
    next_urls: tuple[str, ...] = field(default_factory=tuple)
    scorecard: RawScorecard | None = None  # the site's own scores for the title, if stated


class PageParser(Protocol):
    """A parser for one page layout. `parse` is pure: text and URL in, records out."""

    layout: ClassVar[str]

    def looks_like(self, text: str) -> bool:
        """Cheap check on the page text that this layout produced it."""
        ...

    def parse(self, text: str, url: str) -> ParsedPage:
        """Every review on the page; raises `ParseError` when the page is unusable."""
        ...

    def links(self, text: str, url: str) -> tuple[str, ...]:
        """The page's other pages (pagination, next cursor), found without a full parse."""
        ...
