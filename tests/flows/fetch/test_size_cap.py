"""A page is read whole or refused whole: over `max_page_bytes`, before or after
decompression, it is a failure that names the cap, and nothing of it is stored."""

from __future__ import annotations

import gzip
import socket
import time
import zlib
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from flows.fetch import read_body
from flows.fetch.guard import too_large
from flows.fetch.settings import FetchSettings
from tests.flows.fetch.crawling import crawl, only
from tests.flows.fetch.rawserver import raw_server

CAP = 4096
REFUSED = "page larger than the 4 KiB cap (--max-page-bytes)"


def stored(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "store").rglob("*.zst"))


def test_the_default_cap_is_20_mib_and_named_in_the_reason():
    assert FetchSettings().max_page_bytes == 20_971_520
    assert too_large(20_971_521, 20_971_520) == (
        "page larger than the 20 MiB cap (--max-page-bytes)"
    )
    assert too_large(20_971_520, 20_971_520) is None
    assert too_large(1537, 1536) == "page larger than the 1.5 KiB cap (--max-page-bytes)"
    assert too_large(301, 300) == "page larger than the 300 bytes cap (--max-page-bytes)"


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_a_body_of_exactly_the_cap_is_kept_whole_and_one_byte_more_is_refused(
    httpserver: HTTPServer, tmp_path, declared
):
    def serve(body: bytes):
        def handler(_request: Request) -> Response:
            if declared:
                return Response(body, content_type="text/plain")
            return Response(iter([body[:1000], body[1000:]]), content_type="text/plain")

        return handler

    fits, over = b"a" * CAP, b"b" * (CAP + 1)
    httpserver.expect_request("/fits").respond_with_handler(serve(fits))
    httpserver.expect_request("/over").respond_with_handler(serve(over))
    report = crawl(
        [httpserver.url_for("/fits"), httpserver.url_for("/over")], tmp_path, max_page_bytes=CAP
    )
    outcomes = {Path(o.url).name: o for o in report.outcomes}
    assert outcomes["fits"].error is None
    assert read_body(outcomes["fits"].page) == fits
    assert (outcomes["over"].error, outcomes["over"].page) == (REFUSED, None)
    assert outcomes["over"].attempts == 1  # refused, not retried
    assert len(stored(tmp_path)) == 1  # nothing of the refused page


def test_a_small_gzip_body_over_the_cap_once_decompressed_is_refused(
    httpserver: HTTPServer, tmp_path
):
    body = b"<html>" + b"x" * (CAP * 50)
    packed = gzip.compress(body)
    assert len(packed) < CAP
    httpserver.expect_request("/z").respond_with_data(
        packed, headers={"Content-Encoding": "gzip"}, content_type="text/html"
    )
    outcome = only(crawl([httpserver.url_for("/z")], tmp_path, max_page_bytes=CAP))
    assert (outcome.error, outcome.page) == (REFUSED, None)
    assert stored(tmp_path) == []


def test_a_deflate_body_of_exactly_the_cap_is_kept_whole(httpserver: HTTPServer, tmp_path):
    body = bytes(range(256)) * (CAP // 256)
    httpserver.expect_request("/d").respond_with_data(
        zlib.compress(body), headers={"Content-Encoding": "deflate"}, content_type="text/plain"
    )
    outcome = only(crawl([httpserver.url_for("/d")], tmp_path, max_page_bytes=CAP))
    assert outcome.error is None
    assert read_body(outcome.page) == body
    assert outcome.byte_size == CAP


def test_a_compressed_body_declared_larger_than_the_cap_is_refused_unread(tmp_path):
    def huge_promise(connection: socket.socket, _hit: int) -> None:
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
            b"Content-Length: 1000000000\r\n\r\n" + gzip.compress(b"x" * 100)
        )
        time.sleep(3)  # the rest never comes: reading on would wait for the timeout

    with raw_server({"/huge": huge_promise}) as (base, _hits):
        started = time.monotonic()
        outcome = only(crawl([f"{base}/huge"], tmp_path, max_page_bytes=CAP, read_timeout_s=2))
    assert outcome.error == REFUSED
    assert time.monotonic() - started < 1.5
