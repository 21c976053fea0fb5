"""URL facts that parsers read off a page's own address."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_MOVIE_SLUG = re.compile(r"/m/([A-Za-z0-9_.\-]+)")


def movie_slug(url: str | None) -> str | None:
    """The Rotten Tomatoes movie slug in a URL or link path.

    >>> movie_slug("https://www.rottentomatoes.com/m/the_departed/reviews?page=2")
    'the_departed'
    """
    if not url:
        return None
    match = _MOVIE_SLUG.search(url)
    return match.group(1).lower() if match else None


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
