"""Tiny HTTP/1.1 servers on 127.0.0.1 for what pytest-httpserver cannot do: misbehave on
purpose (drop connections mid-body, send bodies slower than any timeout), and keep
connections alive so their reuse can be counted."""

from __future__ import annotations

import asyncio
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from bench.server import serve

Script = Callable[[socket.socket, int], None]  # (connection, how many times this path was hit)


@contextmanager
def raw_server(scripts: dict[str, Script]) -> Iterator[tuple[str, dict[str, int]]]:
    """Serve `scripts` by request path; yields the base URL and the hit counts."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    hits: dict[str, int] = {}
    stop = threading.Event()

    def handle(connection: socket.socket) -> None:
        with connection:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = connection.recv(4096)
                if not chunk:
                    return
                data += chunk
            path = data.split(b" ", 2)[1].decode()
            hits[path] = hits.get(path, 0) + 1
            script = scripts.get(path)
            if script is None:
                connection.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                return
            with suppress(OSError):
                script(connection, hits[path])

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=handle, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", hits
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()


def ok(body: bytes, content_type: str = "text/html; charset=utf-8") -> Script:
    def script(connection: socket.socket, _hit: int) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        connection.sendall(head.encode() + b"Connection: close\r\n\r\n" + body)

    return script


def dropped_mid_body(body: bytes, first_good_hit: int) -> Script:
    """Promise the whole body, send half, hang up, until `first_good_hit`."""

    def script(connection: socket.socket, hit: int) -> None:
        if hit >= first_good_hit:
            ok(body)(connection, hit)
            return
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n"
        connection.sendall(head.encode() + body[: len(body) // 2])
        connection.shutdown(socket.SHUT_RDWR)

    return script


def slow_body(seconds: float) -> Script:
    """Headers at once, then nothing for `seconds`."""

    def script(connection: socket.socket, _hit: int) -> None:
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100\r\n\r\n"
        )
        connection.sendall(b"x" * 10)
        time.sleep(seconds)

    return script


@contextmanager
def keepalive_server(pages: dict[str, Path]) -> Iterator[tuple[str, list[int]]]:
    """The benchmark's corpus server (HTTP/1.1 keep-alive, ETags, 304s) serving `pages` by URL
    path; yields the base URL and the client port of every request (one port a connection)."""
    ports: list[int] = []
    listening: queue.Queue[int] = queue.Queue()
    loop = asyncio.new_event_loop()
    serving = loop.create_task(serve(pages, on_request=ports.append, started=listening.put))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listening.get(timeout=10)}", ports
    finally:
        asyncio.run_coroutine_threadsafe(_cancelled(serving), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.close()


async def _cancelled(task: asyncio.Task[None]) -> None:
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task
