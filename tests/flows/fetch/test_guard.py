"""Which addresses may be fetched: http(s) only, no private, loopback, link-local (cloud
metadata) or otherwise internal address unless the allow-list names it; and one wording for
a page over the size cap."""

from __future__ import annotations

import asyncio

import pytest

from flows.fetch import FetchRefused, check_url, too_large
from flows.fetch.guard import size_text


def refusal(url: str, allow_hosts: frozenset[str] = frozenset()) -> str | None:
    """Why `url` is refused, or None when it may be fetched."""
    try:
        asyncio.run(check_url(url, allow_hosts))
    except FetchRefused as error:
        return str(error)
    return None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/x",  # loopback
        "http://[::1]/x",  # loopback, IPv6
        "http://[::ffff:127.0.0.1]/x",  # loopback behind an IPv4-mapped IPv6 address
        "http://10.1.2.3/x",  # private
        "http://192.168.0.10/x",  # private
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "http://224.0.0.1/x",  # multicast
        "http://0.0.0.0/x",  # unspecified
        "http://localhost:8000/x",  # a name that resolves to loopback
    ],
)
def test_internal_addresses_are_refused_and_say_how_to_allow_them(url):
    reason = refusal(url)
    assert reason is not None
    assert "a private or internal address (allow it with --allow-host)" in reason


def test_a_public_address_may_be_fetched():
    assert refusal("https://93.184.216.34/m/x/reviews") is None


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8000/x", "127.0.0.1"),
        ("http://LOCALHOST:8000/x", "localhost"),  # by name, any case
        ("http://localhost:8000/x", "127.0.0.1"),  # by the address the name resolves to
        ("http://[::1]:8000/x", "[::1]"),  # an IPv6 literal, brackets or not
    ],
)
def test_the_allow_list_lets_a_named_host_or_address_through(url, allowed):
    assert refusal(url, frozenset({allowed})) is None


def test_allowing_one_internal_host_allows_no_other():
    assert refusal("http://10.0.0.2/x", frozenset({"10.0.0.1"})) is not None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/x", "only http and https URLs are fetched, not ftp:"),
        ("file:///etc/passwd", "only http and https URLs are fetched, not file:"),
        ("example.com/x", "only http and https URLs are fetched, not none:"),
        ("http:///x", "URL has no host"),
    ],
)
def test_only_http_and_https_urls_with_a_host(url, reason):
    assert refusal(url) == reason


def test_a_host_that_does_not_resolve_is_refused():
    reason = refusal("http://no-such-host.invalid/x")
    assert reason is not None
    assert reason.startswith("cannot resolve no-such-host.invalid")


def test_too_large_says_why_past_the_cap_and_nothing_up_to_it():
    cap = 20 * 1024 * 1024
    assert too_large(cap, cap) is None
    assert too_large(0, cap) is None
    assert too_large(cap + 1, cap) == "page larger than the 20 MiB cap (--max-page-bytes)"
    assert too_large(1001, 1000) == "page larger than the 1000 bytes cap (--max-page-bytes)"


@pytest.mark.parametrize(
    ("count", "text"),
    [(300, "300 bytes"), (1536, "1.5 KiB"), (512 * 1024, "512 KiB"), (3 << 30, "3 GiB")],
)
def test_sizes_read_as_a_person_says_them(count, text):
    assert size_text(count) == text
