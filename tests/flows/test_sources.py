"""Resolving SOURCE arguments into URLs, page files and datasets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.sources import SourceError, resolve_sources, rt_reviews_url
from parsers.urls import movie_slug


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


RT = "https://www.rottentomatoes.com"


@pytest.mark.parametrize(
    ("source", "url"),
    [
        ("rt:the_departed", f"{RT}/m/the_departed/reviews"),
        ("RT:The_Departed", f"{RT}/m/the_departed/reviews"),
        ("rt:tv/the_bear/s01", f"{RT}/tv/the_bear/s01/reviews"),
        (f"{RT}/m/matrix", f"{RT}/m/matrix/reviews"),
        (f"{RT}/m/matrix/", f"{RT}/m/matrix/reviews"),
        ("https://rottentomatoes.com/tv/the_bear/s02", f"{RT}/tv/the_bear/s02/reviews"),
        # already a page of its own: kept as given
        (f"{RT}/m/matrix/reviews?type=top_critics", f"{RT}/m/matrix/reviews?type=top_critics"),
        ("https://example.com/m/matrix", "https://example.com/m/matrix"),
    ],
)
def test_rotten_tomatoes_titles_resolve_to_their_reviews_page(monkeypatch, source, url):
    monkeypatch.delenv("REVIEWHOUSE_RT_BASE_URL", raising=False)
    assert resolve_sources([source]).urls == [url]


def test_the_site_comes_from_reviewhouse_rt_base_url_read_when_resolving(monkeypatch, tmp_path):
    monkeypatch.setenv("REVIEWHOUSE_RT_BASE_URL", "http://127.0.0.1:8123/")
    (tmp_path / "titles.txt").write_text(f"rt:matrix\n{RT}/m/heat\nhttp://127.0.0.1:8123/m/up/\n")
    assert resolve_sources([f"@{tmp_path / 'titles.txt'}"]).urls == [
        "http://127.0.0.1:8123/m/matrix/reviews",
        "http://127.0.0.1:8123/m/heat/reviews",
        "http://127.0.0.1:8123/m/up/reviews",
    ]
    assert rt_reviews_url("the_departed") == "http://127.0.0.1:8123/m/the_departed/reviews"
    assert rt_reviews_url("rt:heat", "https://mirror.example") == (
        "https://mirror.example/m/heat/reviews"
    )


@pytest.mark.parametrize(
    "source", ["rt:", "rt:  ", "rt:the departed", "rt:../x", "rt:..", "rt:tv/../s01", "rt:tv/x"]
)
def test_a_reference_that_names_no_title_is_a_one_line_usage_error(source):
    with pytest.raises(SourceError) as error:
        resolve_sources([source])
    message = str(error.value)
    assert message.startswith("not a Rotten Tomatoes title: ")
    assert "rt:<movie_slug>" in message
    assert "\n" not in message


def test_a_base_url_that_is_no_web_address_is_a_usage_error(monkeypatch):
    monkeypatch.setenv("REVIEWHOUSE_RT_BASE_URL", "rottentomatoes.com")
    with pytest.raises(SourceError, match="REVIEWHOUSE_RT_BASE_URL must be an http"):
        resolve_sources(["rt:heat"])
    assert resolve_sources(["https://example.com/x"]).urls == ["https://example.com/x"]


@given(slug=st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,40}", fullmatch=True))
def test_every_slug_gives_one_reviews_url_that_names_it_again(slug):
    if set(slug) <= {"."}:
        return
    url = rt_reviews_url(f"rt:{slug}", RT)
    assert url == f"{RT}/m/{slug.lower()}/reviews"
    assert movie_slug(url) == slug.lower()
    assert rt_reviews_url(url, RT) == url  # a reviews page stays itself
    assert rt_reviews_url(url.removesuffix("/reviews"), RT) == url


def test_links_in_a_folder_that_lead_nowhere_are_skipped_and_said(tree):
    pages = tree / "pages"
    (pages / "a_loop.html").symlink_to(pages / "b_loop.html")
    (pages / "b_loop.html").symlink_to(pages / "a_loop.html")
    (pages / "dangling.html").symlink_to(pages / "nowhere.html")
    (pages / "again").symlink_to(pages)  # a folder link back to itself
    (pages / "spin").symlink_to(pages / "spin")
    (pages / "gone.png").symlink_to(pages / "nowhere.png")  # not a page: not worth a word
    resolved = resolve_sources([str(pages)])
    root = tree.resolve()
    assert resolved.files == [
        str(root / "pages/2021/b.TXT"),
        str(root / "pages/2021/c.json"),
        str(root / "pages/a.html"),
        str(root / "elsewhere.html"),
    ]
    assert sorted(resolved.skipped) == [
        f"skipped {pages}/a_loop.html: a loop of symbolic links",
        f"skipped {pages}/again: a symbolic link to a folder (links to folders are not followed)",
        f"skipped {pages}/b_loop.html: a loop of symbolic links",
        f"skipped {pages}/dangling.html: a symbolic link to nothing",
        f"skipped {pages}/spin: a loop of symbolic links",
    ]


def test_a_looping_link_named_as_a_source_is_a_usage_error(tree, monkeypatch):
    (tree / "a.html").symlink_to(tree / "b.html")
    (tree / "b.html").symlink_to(tree / "a.html")
    monkeypatch.chdir(tree)
    with pytest.raises(SourceError, match=r"^source is a loop of symbolic links: a.html$"):
        resolve_sources(["a.html"])
