"""URL normalisation, so that one page is fetched at most once per run, and the credentials
a URL may carry: sent as the user gave them, never stored or logged."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "_ga", "_gl", "igshid", "yclid"}
)
REDACTED = "***"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_url(url: str) -> str:
    """Scheme and host lower-cased, default port and fragment dropped, tracking parameters
    (`utm_*`, `fbclid`, ...) removed; credentials, path and the order of other parameters
    kept.

    >>> normalize_url("HTTPS://WWW.Example.com:443/m/x/Reviews?utm_source=a&page=2#top")
    'https://www.example.com/m/x/Reviews?page=2'
    >>> normalize_url("http://user:pw@Example.com:80/x")
    'http://user:pw@example.com/x'
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    netloc = _host_port(scheme, parts.hostname, parts.port)
    userinfo, at, _host = parts.netloc.rpartition("@")
    if at:
        netloc = f"{userinfo}@{netloc}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMETERS
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def host_key(url: str) -> str:
    """What politeness is counted per, and what "the same host" means: scheme, host and
    port, never the credentials.

    >>> host_key("https://user:pw@Example.com:8443/m/x")
    'https://example.com:8443'
    """
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2].lower()}"


def redact_url(url: str) -> str:
    """`url` with its password, if any, replaced by `***`: the form to store and log.

    Any text is accepted; what is not a URL with a password comes back unchanged.

    >>> redact_url("http://user:s3cretpass@host:8080/x?page=2")
    'http://user:***@host:8080/x?page=2'
    >>> redact_url("https://example.com/m/x")
    'https://example.com/m/x'
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    ends = [index for index in (rest.find(mark) for mark in "/?#") if index >= 0]
    netloc, tail = rest[: min(ends, default=len(rest))], rest[min(ends, default=len(rest)) :]
    userinfo, at, host = netloc.rpartition("@")  # a password may hold a raw `@`
    user, colon, password = userinfo.partition(":")
    if not (at and colon and password) or password == REDACTED:
        return url
    return f"{scheme}://{user}:{REDACTED}@{host}{tail}"


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """`url` without its `user:password@`, and that pair (percent-decoded), if it had one.

    >>> split_credentials("http://us%40r:p%3Ass@host/x")
    ('http://host/x', ('us@r', 'p:ss'))
    """
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at:
        return url, None
    bare = urlunsplit(parts._replace(netloc=host))
    user, _colon, password = userinfo.partition(":")
    return bare, (unquote(user), unquote(password))


def without_credentials(url: str) -> str:
    """`url` without any `user:password@`.

    >>> without_credentials("http://user:***@host/x")
    'http://host/x'
    """
    return split_credentials(url)[0]


def _host_port(scheme: str, hostname: str | None, port: int | None) -> str:
    host = (hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"


# Passwords given on the command line, kept in this process only: a flow's parameters go
# to Prefect's database and UI, so the CLI hands the flow `user:***@` URLs and the crawl
# asks for the password back here.
_GIVEN_PASSWORDS: dict[str, str] = {}


def hide_password(url: str) -> str:
    """`redact_url(url)`, remembering the URL as given for `reveal_password` in this process.

    >>> hidden = hide_password("http://user:s3cret@host/x")
    >>> hidden, reveal_password(hidden)
    ('http://user:***@host/x', 'http://user:s3cret@host/x')
    """
    redacted = redact_url(url)
    if redacted != url:
        _GIVEN_PASSWORDS[redacted] = url
    return redacted


def reveal_password(url: str) -> str:
    """The URL as the user gave it, password included, if `hide_password` saw it here."""
    return _GIVEN_PASSWORDS.get(url, url)
