"""Credentials in a URL: sent as the user gave them, to that host only, never across a
redirect to another host, and never stored or reported in the clear."""

from __future__ import annotations

import base64
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from flows.fetch.urls import host_key, normalize_url, redact_url, split_credentials
from tests.flows.fetch.crawling import crawl, only

PAGE = b"<html><body>members only</body></html>"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def with_credentials(url: str, user: str, password: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{quote(user, safe='')}:{quote(password, safe='')}@{rest}"


def test_redact_url_hides_the_password_and_nothing_else():
    assert redact_url("http://user:s3cretpass@host/x") == "http://user:***@host/x"
    assert (
        redact_url("https://u:p@ss@h.example:8443/a?b=c#d")
        == "https://u:***@h.example:8443/a?b=c#d"
    )
    assert redact_url("http://user@host/x") == "http://user@host/x"
    assert redact_url("http://host/x?password=a@b") == "http://host/x?password=a@b"
    assert redact_url("not a url: a:b@c") == "not a url: a:b@c"


SECRETS = st.text(st.characters(min_codepoint=33, max_codepoint=0x2FF), min_size=4)


@given(user=st.from_regex(r"[a-z][a-z0-9._-]{0,10}", fullmatch=True), password=SECRETS)
def test_a_redacted_url_never_holds_the_password_and_redacting_again_changes_nothing(
    user, password
):
    url = with_credentials("https://reviews.example:8443/m/x/reviews?page=2", user, password)
    shown = redact_url(url)
    assert shown == f"https://{user}:***@reviews.example:8443/m/x/reviews?page=2"
    assert redact_url(shown) == shown
    assert split_credentials(normalize_url(url)) == (
        "https://reviews.example:8443/m/x/reviews?page=2",
        (user, password),
    )
    assert host_key(url) == "https://reviews.example:8443"


def test_credentials_go_as_basic_auth_and_the_stored_url_is_redacted(
    httpserver: HTTPServer, tmp_path
):
    httpserver.expect_request(
        "/private", headers={"Authorization": basic("user", "s3cret:pass")}
    ).respond_with_data(PAGE, content_type="text/html")
    seed = with_credentials(httpserver.url_for("/private"), "user", "s3cret:pass")
    outcome = only(crawl([seed], tmp_path))
    assert outcome.error is None
    assert outcome.url == outcome.seed == redact_url(seed)
    assert "s3cret" not in outcome.url
    assert outcome.final_url == httpserver.url_for("/private")
    assert outcome.page.url == httpserver.url_for("/private")


def test_credentials_never_follow_a_redirect_to_another_host(tmp_path):
    with HTTPServer() as other:
        other.expect_request("/landing").respond_with_data(PAGE, content_type="text/html")
        with HTTPServer() as first:
            first.expect_request("/start").respond_with_data(
                "", 302, {"Location": other.url_for("/landing")}
            )
            seed = with_credentials(first.url_for("/start"), "user", "s3cretpass")
            outcome = only(crawl([seed], tmp_path))
            ((asked_first, _),) = first.log
        ((asked_other, _),) = other.log
    assert outcome.error is None
    assert outcome.final_url == other.url_for("/landing")
    assert asked_first.headers["Authorization"] == basic("user", "s3cretpass")
    assert "Authorization" not in asked_other.headers


def test_a_failure_on_a_url_with_credentials_never_shows_the_password(tmp_path):
    seed = "http://user:s3cretpass@127.0.0.1:9/x"  # nothing listens on the discard port
    outcome = only(crawl([seed], tmp_path, attempts=1))
    assert outcome.error
    assert "s3cretpass" not in repr(outcome)
    assert outcome.url == "http://user:***@127.0.0.1:9/x"
