"""URL facts that parsers read off a page's own address."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

# Where a Rotten Tomatoes URL names its title, tried in order; one capture group each.
# A TV season is named with its show and season (`tv/<show>/s01`) because its reviews,
# unlike a movie's, belong to the season, not to the show.
RT_SLUG_PATTERNS: tuple[str, ...] = (
    r"/(tv/[A-Za-z0-9_.\-]+/s[0-9]{1,3})(?:[^A-Za-z0-9_]|$)",
    r"/m/([A-Za-z0-9_.\-]+)",
)
_RT_SLUGS = tuple(re.compile(pattern) for pattern in RT_SLUG_PATTERNS)

RT_API_PATH = "/napi/rtcf/v1/"
RtApiKind = Literal["movies", "tv/seasons", "tv/episodes"]
RT_API_KINDS: tuple[str, ...] = ("movies", "tv/seasons", "tv/episodes")
_RT_API_QUERY = "pageCount=20&topOnly=false&type=critic&verified=false"


def movie_slug(url: str | None) -> str | None:
    """The Rotten Tomatoes title a URL or link path names: a movie's slug, or
    `tv/<show>/sNN` for a TV season; lower-cased.

    >>> movie_slug("https://www.rottentomatoes.com/m/the_departed/reviews?page=2")
    'the_departed'
    >>> movie_slug("https://www.rottentomatoes.com/tv/The_Bear/s01/reviews")
    'tv/the_bear/s01'
    >>> movie_slug("https://www.rottentomatoes.com/tv/the_bear") is None
    True
    """
    if not url:
        return None
    for pattern in _RT_SLUGS:
        if match := pattern.search(url):
            return match.group(1).lower()
    return None


def is_rt_api_url(url: str) -> bool:
    """Whether `url` asks Rotten Tomatoes' current review API (on any host: a mirror or a
    local stand-in serves the same paths).

    >>> is_rt_api_url("http://127.0.0.1:8000/napi/rtcf/v1/movies/abc/reviews?after=x")
    True
    >>> is_rt_api_url("https://www.rottentomatoes.com/napi/movie/abc/criticsReviews/all")
    False
    >>> is_rt_api_url("http://[bad/napi/rtcf/v1/movies/abc/reviews")  # not a URL at all
    False
    """
    try:
        return RT_API_PATH in urlsplit(url).path
    except ValueError:
        return False


def rt_api_url(page_url: str, kind: RtApiKind, ems_id: str) -> str:
    """The first page of the review API for the title `ems_id`, on the host of `page_url`.

    >>> rt_api_url("https://www.rottentomatoes.com/m/matrix/reviews", "movies", "abc-1")
    'https://www.rottentomatoes.com/napi/rtcf/v1/movies/abc-1/reviews?pageCount=20&topOnly=false&type=critic&verified=false'
    >>> rt_api_url("http://127.0.0.1:8000/tv/the_bear/s01/reviews", "tv/seasons", "e-2")
    'http://127.0.0.1:8000/napi/rtcf/v1/tv/seasons/e-2/reviews?pageCount=20&topOnly=false&type=critic&verified=false'
    """
    if kind not in RT_API_KINDS:
        raise ValueError(f"unknown RT API kind {kind!r} (known: {', '.join(RT_API_KINDS)})")
    if not is_web_url(page_url):
        raise ValueError(f"not a web URL: {page_url!r}")
    ems = quote(ems_id.strip(), safe="")
    return f"{_origin(page_url)}{RT_API_PATH}{kind}/{ems}/reviews?{_RT_API_QUERY}"


def is_web_url(url: str) -> bool:
    return url.startswith(("http://", "https://"))


def with_query(url: str, **params: str) -> str:
    """`url` with `params` set in its query string, other parameters kept in order."""
    parts = urlsplit(url)
    query = {key: value for key, value in parse_qsl(parts.query, keep_blank_values=True)}
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))


def sibling_pages(url: str, page_number: int | None, page_count: int | None) -> tuple[str, ...]:
    """The other `?page=N` URLs of a paginated web page ("Page 1 of 13")."""
    if not is_web_url(url) or not page_count or page_count < 2:
        return ()
    return tuple(with_query(url, page=str(n)) for n in range(1, page_count + 1) if n != page_number)


def absolute(base: str, href: str | None) -> str | None:
    """Resolve a link against the page URL; scheme-less `www.` links get `https://`."""
    if not href:
        return None
    href = href.strip()
    if href.startswith("www."):
        return "https://" + href
    if href.startswith(("http://", "https://")):
        return href
    if not is_web_url(base):
        return href
    if href.startswith("/") and not href.startswith("//"):
        return _origin(base) + href  # the common site-relative link, without urljoin's cost
    return urljoin(base, href)


@lru_cache(maxsize=256)
def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
