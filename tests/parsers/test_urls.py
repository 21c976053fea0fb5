"""URL facts: Rotten Tomatoes slugs (movies and TV seasons) and the review API's address."""

from __future__ import annotations

import doctest
import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

import parsers.urls
from parsers.urls import RT_SLUG_PATTERNS, is_rt_api_url, movie_slug, rt_api_url

SLUG = st.text(alphabet=string.ascii_letters + string.digits + "_-.", min_size=1)


def test_the_docstring_examples_hold():
    assert doctest.testmod(parsers.urls).failed == 0


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://www.rottentomatoes.com/m/the_departed/reviews?page=2", "the_departed"),
        ("https://www.rottentomatoes.com/m/Matrix", "matrix"),
        ("/m/1922_2017", "1922_2017"),
        ("https://www.rottentomatoes.com/tv/the_bear/s01/reviews", "tv/the_bear/s01"),
        ("https://www.rottentomatoes.com/tv/the_bear/s03/reviews/all-critics", "tv/the_bear/s03"),
        ("http://127.0.0.1:8123/tv/Severance/s02", "tv/severance/s02"),
        ("https://www.rottentomatoes.com/tv/the_bear", None),  # a show, not a season
        ("https://www.rottentomatoes.com/tv/the_bear/season_one", None),
        ("https://www.rottentomatoes.com/critic/joe-morgenstern", None),
        ("", None),
        (None, None),
    ],
)
def test_movie_slug(url: str | None, slug: str | None):
    assert movie_slug(url) == slug


def test_each_slug_pattern_has_one_group_and_works_without_flags():
    for pattern in RT_SLUG_PATTERNS:
        assert re.compile(pattern).groups == 1
    assert re.search(RT_SLUG_PATTERNS[0], "/tv/x_y/s12/reviews")[1] == "tv/x_y/s12"
    assert re.search(RT_SLUG_PATTERNS[1], "/m/x_y/reviews")[1] == "x_y"


@given(SLUG, st.sampled_from(["", "/reviews", "/reviews?type=top_critics", "?x=1"]))
def test_movie_slugs_come_back_lower_cased_whatever_follows(slug: str, tail: str):
    assert movie_slug(f"https://www.rottentomatoes.com/m/{slug}{tail}") == slug.lower()


@given(SLUG, st.integers(min_value=1, max_value=99))
def test_tv_season_slugs_name_show_and_season(show: str, season: int):
    url = f"https://www.rottentomatoes.com/tv/{show}/s{season:02d}/reviews"
    assert movie_slug(url) == f"tv/{show.lower()}/s{season:02d}"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.rottentomatoes.com/napi/rtcf/v1/movies/abc/reviews", True),
        ("http://127.0.0.1:9000/napi/rtcf/v1/tv/seasons/abc/reviews?after=QQ", True),
        ("https://www.rottentomatoes.com/napi/movie/abc/criticsReviews/all", False),
        ("https://www.rottentomatoes.com/cnapi/movie/abc/reviews/all", False),
        ("https://www.rottentomatoes.com/m/x?next=/napi/rtcf/v1/", False),  # query, not path
        ("not a url", False),
    ],
)
def test_is_rt_api_url(url: str, expected: bool):
    assert is_rt_api_url(url) is expected


def test_rt_api_url_keeps_the_page_host_and_names_kind_and_title():
    query = "pageCount=20&topOnly=false&type=critic&verified=false"
    assert rt_api_url("https://www.rottentomatoes.com/m/matrix/reviews?x=1", "movies", "E1") == (
        f"https://www.rottentomatoes.com/napi/rtcf/v1/movies/E1/reviews?{query}"
    )
    assert rt_api_url("http://127.0.0.1:8765/tv/the_bear/s01/reviews", "tv/seasons", "e2") == (
        f"http://127.0.0.1:8765/napi/rtcf/v1/tv/seasons/e2/reviews?{query}"
    )
    assert is_rt_api_url(rt_api_url("https://x.test/m/y", "tv/episodes", "e3"))


def test_rt_api_url_refuses_unknown_kinds_and_non_web_pages():
    with pytest.raises(ValueError, match="unknown RT API kind"):
        rt_api_url("https://www.rottentomatoes.com/m/x", "shows", "e")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a web URL"):
        rt_api_url("file:///saved/x.html", "movies", "e")
