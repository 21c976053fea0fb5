"""Serve a written corpus over HTTP on 127.0.0.1, with ETags so a second crawl gets 304s.

    python -m bench.server CORPUS_DIR PORT

Pages are found by their recorded address (each file's `.url`, path and query).
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}


def manifest(directory: Path) -> dict[str, Path]:
    """URL path (with query) -> page file, from each page's `.url` beside it."""
    pages = {}
    for body in directory.rglob("page-*"):
        if body.suffix == ".url":
            continue
        parts = urlsplit(body.with_suffix(".url").read_text().strip())
        pages[f"{parts.path}?{parts.query}" if parts.query else parts.path] = body
    return pages


class CorpusHandler(BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, Path]] = {}
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, no delayed-ACK stalls

    def do_GET(self) -> None:
        body_path = self.pages.get(self.path)
        if body_path is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        # an ETag from size and modification time, as nginx makes it: a 304 reads no body
        stat = body_path.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = body_path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPES.get(body_path.suffix, "text/plain"))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


def main() -> None:
    directory, port = Path(sys.argv[1]), int(sys.argv[2])
    CorpusHandler.pages = manifest(directory)
    server = ThreadingHTTPServer(("127.0.0.1", port), CorpusHandler)
    server.daemon_threads = True
    print(f"serving {len(CorpusHandler.pages)} pages on {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
