"""The raw page store: content-addressed, compressed, readable back with a cap."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from flows.fetch import PageRef, PageTooLarge, read_body
from flows.fetch.store import PageStore, content_hash

BODY = b"<html><title>Backstage Reviews</title>" + "é, ★ and text. ".encode() * 2000


def stored_page(path) -> PageRef:
    return PageRef(
        url="https://x/", body_path=str(path), fetched_at=datetime.now(UTC), compressed=True
    )


def test_a_body_is_stored_compressed_under_its_hash_once(tmp_path):
    store = PageStore(tmp_path)
    digest, path = store.put(BODY)
    assert digest == content_hash(BODY)
    assert path == tmp_path / digest[:2] / f"{digest}.zst"
    assert path.stat().st_size < len(BODY) / 10
    assert store.put(BODY) == (digest, path)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [path.name]  # no leftovers
    assert read_body(stored_page(path)) == BODY


def test_a_stored_page_over_the_cap_is_refused_whole(tmp_path):
    _, path = PageStore(tmp_path).put(BODY)
    assert read_body(stored_page(path), max_bytes=len(BODY)) == BODY
    with pytest.raises(PageTooLarge, match=r"page larger than the 1000 bytes cap"):
        read_body(stored_page(path), max_bytes=1000)


def test_a_local_file_is_read_whole_under_the_cap_and_refused_over_it(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(BODY)
    page = PageRef(url=path.as_uri(), body_path=str(path), fetched_at=datetime.now(UTC))
    assert read_body(page, max_bytes=len(BODY) * 2) == BODY
    assert read_body(page, max_bytes=len(BODY)) == BODY
    with pytest.raises(PageTooLarge, match=r"\(--max-page-bytes\)"):
        read_body(page, max_bytes=len(BODY) - 1)
    assert read_body(page) == BODY


def test_pages_stored_with_gzip_by_earlier_versions_are_read_and_reused(tmp_path):
    digest = content_hash(BODY)
    old = tmp_path / digest[:2] / f"{digest}.gz"
    old.parent.mkdir()
    old.write_bytes(gzip.compress(BODY))
    store = PageStore(tmp_path)
    assert store.has(digest)
    assert store.put(BODY) == (digest, old)
    assert read_body(stored_page(old)) == BODY
