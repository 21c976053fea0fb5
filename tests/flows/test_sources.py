"""Resolving SOURCE arguments into URLs, page files and datasets."""

from __future__ import annotations

import pytest

from flows.sources import SourceError, resolve_sources


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "pages" / "2021").mkdir(parents=True)
    (tmp_path / "pages" / ".cache").mkdir()
    for name in ("a.html", "2021/b.TXT", "2021/c.json", ".hidden.html", ".cache/d.html", "e.png"):
        (tmp_path / "pages" / name).write_text("x")
    (tmp_path / "pages" / "reviews.csv").write_text("x")
    (tmp_path / "elsewhere.html").write_text("x")
    (tmp_path / "pages" / "link.html").symlink_to(tmp_path / "elsewhere.html")
    return tmp_path


def test_a_folder_gives_its_page_files_and_datasets_hidden_ones_left_out(tree):
    resolved = resolve_sources([str(tree / "pages")])
    root = tree.resolve()
    assert resolved.files == [
        str(root / "pages/2021/b.TXT"),
        str(root / "pages/2021/c.json"),
        str(root / "pages/a.html"),
        str(root / "elsewhere.html"),  # the link, as what it points at
    ]
    assert resolved.datasets == [root / "pages/reviews.csv"]
    assert resolved.urls == []


def test_lists_are_read_relative_to_themselves_and_duplicates_kept_once(tree, monkeypatch):
    (tree / "sources.txt").write_text(
        "# nightly\nhttps://example.com/m/x/reviews\npages/a.html\n\npages/a.html\n"
    )
    monkeypatch.chdir(tree / "pages")
    resolved = resolve_sources(["@../sources.txt", "https://example.com/m/x/reviews"])
    assert resolved.urls == ["https://example.com/m/x/reviews"]
    assert resolved.files == [str(tree.resolve() / "pages/a.html")]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("missing.html", "source not found"),
        ("@missing.txt", "source list not found"),
        ("ftp://example.com/page", "unsupported URL scheme"),
    ],
)
def test_bad_sources_are_usage_errors(tree, monkeypatch, source, message):
    monkeypatch.chdir(tree)
    with pytest.raises(SourceError, match=message):
        resolve_sources([source])


def test_a_list_that_includes_itself_is_refused(tree, monkeypatch):
    (tree / "loop.txt").write_text("@loop.txt\n")
    monkeypatch.chdir(tree)
    with pytest.raises(SourceError, match="includes itself"):
        resolve_sources(["@loop.txt"])
