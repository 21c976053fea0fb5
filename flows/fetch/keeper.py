"""Keeping fetched pages: each body stored in the raw store and its links found, off the
crawler's event loop, on a thread or in a worker process.

The worker process is fed through two pipes that the event loop reads and writes itself,
not through a `ProcessPoolExecutor`: the executor's queue-feeding and result-managing
threads took the GIL from the event loop (figures in docs/performance.md, "Fetching").
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import pickle
from multiprocessing.connection import Connection, Pipe
from pathlib import Path
from typing import Protocol

from flows.fetch._process import StartProcess, start_process
from flows.fetch.links import PageLinks
from flows.fetch.store import PageStore

Kept = tuple[str, Path, tuple[str, ...]]  # (sha256, stored file, links found)

# Room in the pipe for a few pages in flight: Linux's default of 64 KB holds half a page,
# so every page would wait for the worker to read the first half.
PIPE_BYTES = 1 << 20


class PageKeeper(Protocol):
    async def keep(self, body: bytes, url: str, content_type: str | None) -> Kept: ...


class KeepingFailed(Exception):
    """The worker process could not keep a page (its error, as text), or is gone."""


def keep_page(
    store: PageStore,
    body: bytes,
    url: str,
    content_type: str | None,
    link_finder: PageLinks | None,
) -> Kept:
    """Store a body and find its links."""
    digest, path = store.put(body)
    links = () if link_finder is None else link_finder.links(body, url, content_type)
    return digest, path, links


class ThreadKeeper:
    """Keeps pages on the event loop's default thread pool: for small crawls, where starting
    a process costs more than it saves."""

    def __init__(self, store: PageStore, link_finder: PageLinks | None) -> None:
        self._store = store
        self._links = link_finder

    async def keep(self, body: bytes, url: str, content_type: str | None) -> Kept:
        try:
            return await asyncio.to_thread(
                keep_page, self._store, body, url, content_type, self._links
            )
        except Exception as error:  # as the worker process reports it
            raise KeepingFailed(_described(error)) from error


class ProcessKeeper:
    """Keeps pages in one worker process. Use as `async with`, inside the crawl's loop.

    `start_process(target, *args)` starts the worker; by default a fresh interpreter that
    dies with this process. The orchestration passes its own (a forkserver's).
    """

    def __init__(
        self,
        store: PageStore,
        link_finder: PageLinks | None,
        *,
        start_process: StartProcess = start_process,
    ) -> None:
        self._store = store
        self._links = link_finder
        self._start_process = start_process
        self._pending: dict[int, asyncio.Future[Kept]] = {}
        self._sent = 0
        self._gone: str | None = None

    async def __aenter__(self) -> ProcessKeeper:
        worker_requests, self._requests = _pipe()
        self._replies, worker_replies = _pipe()
        self._process = self._start_process(
            serve, worker_requests, worker_replies, self._store, self._links
        )
        worker_requests.close()  # the worker's ends, now that it holds them
        worker_replies.close()
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(self._replies.fileno(), self._read_replies)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._loop.remove_reader(self._replies.fileno())
        self._requests.close()  # the worker reads to the end, then exits
        await asyncio.to_thread(self._process.join, 30)
        if self._process.is_alive():
            self._process.terminate()
        self._replies.close()
        self._fail_pending("the page-keeping process stopped")

    async def keep(self, body: bytes, url: str, content_type: str | None) -> Kept:
        if self._gone:
            raise KeepingFailed(self._gone)
        self._sent += 1
        number = self._sent
        future = self._loop.create_future()
        self._pending[number] = future
        try:
            # Blocking writes: the pipe holds several pages, and when it is full the worker
            # is the bottleneck, so waiting for it is the back-pressure the crawl needs.
            self._requests.send_bytes(pickle.dumps((number, url, content_type)))
            self._requests.send_bytes(body)
        except OSError as error:
            self._pending.pop(number, None)
            self._fail_pending(f"the page-keeping process is gone ({error})")
            raise KeepingFailed(self._gone) from error
        return await future

    def _read_replies(self) -> None:
        try:
            while self._replies.poll():
                number, kept, error = pickle.loads(self._replies.recv_bytes())
                future = self._pending.pop(number)
                if future.done():  # its fetch was cancelled meanwhile
                    continue
                if error is None:
                    future.set_result(kept)
                else:
                    future.set_exception(KeepingFailed(error))
        except (EOFError, OSError):
            self._loop.remove_reader(self._replies.fileno())
            self._fail_pending(f"the page-keeping process exited (code {self._process.exitcode})")

    def _fail_pending(self, reason: str) -> None:
        self._gone = self._gone or reason
        for future in self._pending.values():
            if not future.done():
                future.set_exception(KeepingFailed(reason))
        self._pending.clear()


def serve(
    requests: Connection, replies: Connection, store: PageStore, link_finder: PageLinks | None
) -> None:
    """The worker process: keep each page sent until the request pipe is closed."""
    while True:
        try:
            number, url, content_type = pickle.loads(requests.recv_bytes())
            body = requests.recv_bytes()
        except EOFError:
            return
        try:
            reply = (number, keep_page(store, body, url, content_type, link_finder), None)
        except Exception as error:  # reported against the page; the worker goes on
            reply = (number, None, _described(error))
        replies.send_bytes(pickle.dumps(reply))


def _described(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def _pipe() -> tuple[Connection, Connection]:
    """A one-way pipe (read end, write end), with room for a few pages where the OS allows."""
    reader, writer = Pipe(duplex=False)
    if resize := getattr(fcntl, "F_SETPIPE_SZ", None):  # Linux only
        with contextlib.suppress(OSError):  # above the system's limit: the default size
            fcntl.fcntl(writer.fileno(), resize, PIPE_BYTES)
    return reader, writer
