"""Serve a written corpus over HTTP on 127.0.0.1, with ETags so a second crawl gets 304s.

    python -m bench.server CORPUS_DIR PORT

Pages are found by their recorded address (each file's `.url`, path and query).

The server shares the benchmark machine's two cores with the crawler it serves, so it costs
what a production server (nginx) would: one asyncio loop, HTTP/1.1 keep-alive, the request
head split by hand. The standard library's `http.server` spent as much CPU per request as
the crawler, and the fetch benchmark measured the two together.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

CONTENT_TYPES = {
    ".html": b"text/html; charset=utf-8",
    ".json": b"application/json",
    ".txt": b"text/plain; charset=utf-8",
}
MAX_HEAD_BYTES = 64 * 1024


def manifest(directory: Path) -> dict[str, Path]:
    """URL path (with query) -> page file, from each page's `.url` beside it."""
    pages = {}
    for body in directory.rglob("page-*"):
        if body.suffix == ".url":
            continue
        parts = urlsplit(body.with_suffix(".url").read_text().strip())
        pages[f"{parts.path}?{parts.query}" if parts.query else parts.path] = body
    return pages


class CorpusProtocol(asyncio.Protocol):
    """One client connection: GET requests, kept alive, answered from `pages` by path.

    `on_request(client_port)` is called for each request (tests count connections by it).
    """

    def __init__(
        self, pages: dict[str, Path], on_request: Callable[[int], None] | None = None
    ) -> None:
        self._pages = pages
        self._on_request = on_request
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while (end := self._buffer.find(b"\r\n\r\n")) >= 0:
            head, self._buffer = self._buffer[:end], self._buffer[end + 4 :]
            if not self._answer(head):
                return
        if len(self._buffer) > MAX_HEAD_BYTES:
            self._close()

    def _answer(self, head: bytes) -> bool:
        """Write the response to one request head; False once the connection is closed."""
        assert self._transport is not None
        request_line, *header_lines = head.split(b"\r\n")
        parts = request_line.split(b" ")
        if len(parts) != 3:
            self._transport.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            self._close()
            return False
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if self._on_request is not None:
            self._on_request(self._transport.get_extra_info("peername")[1])
        self._transport.write(self._response(parts[1].decode("latin-1"), headers))
        if headers.get(b"connection", b"").lower() == b"close":
            self._close()
            return False
        return True

    def _response(self, target: str, headers: dict[bytes, bytes]) -> bytes:
        body_path = self._pages.get(target)
        if body_path is None:
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        # an ETag from size and modification time, as nginx makes it: a 304 reads no body
        stat = body_path.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'.encode()
        if headers.get(b"if-none-match") == etag:
            return b"HTTP/1.1 304 Not Modified\r\nETag: " + etag + b"\r\nContent-Length: 0\r\n\r\n"
        body = body_path.read_bytes()
        content_type = CONTENT_TYPES.get(body_path.suffix, b"text/plain")
        return b"".join(
            [
                b"HTTP/1.1 200 OK\r\nContent-Type: ",
                content_type,
                b"\r\nContent-Length: ",
                str(len(body)).encode(),
                b"\r\nETag: ",
                etag,
                b"\r\n\r\n",
                body,
            ]
        )

    def _close(self) -> None:
        if self._transport is not None:
            self._transport.close()


async def serve(
    pages: dict[str, Path],
    port: int = 0,
    on_request: Callable[[int], None] | None = None,
    started: Callable[[int], None] | None = None,
) -> None:
    """Serve `pages` on 127.0.0.1:`port` until cancelled; `started(port)` once listening."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: CorpusProtocol(pages, on_request), "127.0.0.1", port, backlog=256
    )
    async with server:
        if started is not None:
            started(server.sockets[0].getsockname()[1])
        await server.serve_forever()


def main() -> None:
    directory, port = Path(sys.argv[1]), int(sys.argv[2])
    pages = manifest(directory)

    def announce(_port: int) -> None:
        print(f"serving {len(pages)} pages on {port}", flush=True)

    asyncio.run(serve(pages, port, started=announce))


if __name__ == "__main__":
    main()
