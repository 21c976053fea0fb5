"""The one small interface every page-layout parser implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from parsers.records import RawReview, RawScorecard

QUOTED_CHARS = 300  # of a bad value or a message, quoted in a reason: enough to recognise it


def clip(text: str, limit: int = QUOTED_CHARS) -> str:
    """`text` on one line, cut to `limit` characters with its full length said: a reason or
    a log line quotes a bad value so a person can recognise it, never a 1 MB quote whole.

    >>> clip("x" * 400, 10)
    'xxxxxxxxxx… (400 chars)'
    """
    line = " ".join(text.split())
    return line if len(line) <= limit else f"{line[:limit]}… ({len(line)} chars)"


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
