"""How the crawler learns where to go next: a link finder handed to it from outside.

Finding a page's links means reading its layout, which is parsing's business; the crawler
only asks. The run gives the `Crawler` (and a `ProcessKeeper`, which finds links where it
stores the page) an object with these two methods, `parsers.FeedLinks` for reviewhouse's
own layouts.
"""

from __future__ import annotations

from typing import Protocol


class PageLinks(Protocol):
    """Finds the pages a fetched page leads to. Picklable, for a `ProcessKeeper`'s worker."""

    def links(self, body: bytes, url: str, content_type: str | None) -> tuple[str, ...]:
        """The pages `body` (as fetched from `url`) points to: pagination, next cursor."""
        ...

    def follow_unchanged(self, url: str) -> bool:
        """Whether the links of a page found unchanged since the last run are followed.
        False ends the crawl there: a newest-first feed unchanged at `url` has nothing new
        after it."""
        ...
