"""What an answer becomes: a new page kept in the raw store with its links, an unchanged
page (a 304, or the same bytes as last time), or an error saying why not."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from datetime import UTC, datetime

from flows.fetch._report import FetchOutcome, KnownPage
from flows.fetch._request import Answer
from flows.fetch.keeper import KeepingFailed, PageKeeper
from flows.fetch.links import PageLinks
from flows.fetch.pages import PageRef, read_body

REFUSALS = frozenset({401, 403})  # the site refuses this client: asking again will not help
KEPT_HEADERS = ("content-type", "etag", "last-modified", "content-length", "date", "server",
                "cache-control", "content-encoding")  # fmt: skip


class Outcomes:
    """Turns each URL's answer into its `FetchOutcome`, keeping new bodies with `keeper`."""

    def __init__(
        self,
        keeper: PageKeeper,
        link_finder: PageLinks | None,
        known: Mapping[str, KnownPage],
        max_page_bytes: int,
    ) -> None:
        self._keeper = keeper
        self._links = link_finder
        self._known = known
        self._max_page_bytes = max_page_bytes

    async def of(self, url: str, seed: str, fetched_at: datetime, answer: Answer) -> FetchOutcome:
        headers = {name: answer.headers[name] for name in KEPT_HEADERS if name in answer.headers}
        common = {
            "status": answer.status,
            "final_url": answer.url,
            "attempts": answer.attempts,
            "content_type": answer.headers.get("content-type"),
            "etag": answer.headers.get("etag"),
            "last_modified": answer.headers.get("last-modified"),
            "headers": json.dumps(headers),
        }
        known = self._known.get(url)
        if answer.status == 304 and known:
            links = ()
            if self._follows_unchanged(answer.url):
                links = await self._links_of_unchanged(known, answer.url, common["content_type"])
            return FetchOutcome(
                url,
                seed,
                fetched_at,
                unchanged=True,
                content_hash=known.content_hash,
                body_path=known.body_path,
                links=links,
                **{**common, "etag": common["etag"] or known.etag},
            )
        if answer.body is None:
            reason = f"HTTP {answer.status}"
            if answer.status in REFUSALS:
                reason = f"refused by the site: {reason} (the server refuses this client)"
            return FetchOutcome(url, seed, fetched_at, error=reason, **common)
        try:
            digest, path, links = await self._keeper.keep(
                answer.body, answer.url, common["content_type"]
            )
        except KeepingFailed as error:
            reason = f"could not store the page: {error}"
            return FetchOutcome(url, seed, fetched_at, error=reason, **common)
        unchanged = known is not None and known.content_hash == digest
        if unchanged and not self._follows_unchanged(answer.url):
            links = ()
        page = None
        if not unchanged:
            page = PageRef(
                url=answer.url,
                body_path=str(path),
                fetched_at=fetched_at,
                compressed=True,
                content_type=common["content_type"],
                content_hash=digest,
            )
        return FetchOutcome(
            url,
            seed,
            fetched_at,
            page=page,
            unchanged=unchanged,
            content_hash=digest,
            byte_size=len(answer.body),
            body_path=str(path),
            links=links,
            **common,
        )

    def _follows_unchanged(self, url: str) -> bool:
        """Whether an unchanged page's links are followed: the link finder knows which pages
        end an incremental run (a newest-first feed); without one, every page's are."""
        return self._links is None or self._links.follow_unchanged(url)

    async def _links_of_unchanged(
        self, known: KnownPage, url: str, content_type: str | None
    ) -> tuple[str, ...]:
        """An unchanged page's links: as recorded last time, else read from the raw store."""
        if known.links is not None or self._links is None:
            return known.links or ()
        page = PageRef(
            url=url, body_path=known.body_path, fetched_at=datetime.now(UTC), compressed=True
        )
        try:
            body = await asyncio.to_thread(read_body, page, self._max_page_bytes)
        except OSError:
            return ()
        return self._links.links(body, url, content_type)
