"""Finding a fetched page's next pages, for the crawler: the `flows.fetch.PageLinks` the run
hands it, built on `page_links`."""

from __future__ import annotations

from dataclasses import dataclass, field

from parsers.base import ParseError
from parsers.decode import decode_body
from parsers.detect import page_links
from parsers.urls import is_rt_api_url


@dataclass(frozen=True, slots=True)
class FeedLinks:
    """The links of reviewhouse's layouts, told which RT review ids the warehouse holds.

    RT's review API lists reviews newest first: a page holding a known review has no next
    page, and an API page unchanged since the last run has nothing new after it, so an
    incremental run stops there. A full refresh walks every page, known reviews or not.
    Picklable: a `ProcessKeeper`'s worker process receives it.

    >>> finder = FeedLinks(frozenset({"r1"}))
    >>> finder.follow_unchanged("https://www.rottentomatoes.com/m/x/reviews")
    True
    >>> finder.follow_unchanged("https://www.rottentomatoes.com/napi/rtcf/v1/movies/a/reviews")
    False
    >>> finder.links(b"", "https://example.org/", "text/html")  # no text, no links
    ()
    """

    known_reviews: frozenset[str] = frozenset()
    full_refresh: bool = field(default=False, kw_only=True)

    def links(self, body: bytes, url: str, content_type: str | None) -> tuple[str, ...]:
        try:
            text = decode_body(body, content_type)
        except ParseError:
            return ()
        known = frozenset() if self.full_refresh else self.known_reviews
        return page_links(text, url, known_reviews=known)

    def follow_unchanged(self, url: str) -> bool:
        return self.full_refresh or not is_rt_api_url(url)
