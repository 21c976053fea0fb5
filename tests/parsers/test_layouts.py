"""Layout-specific behaviour beyond the golden files."""

from __future__ import annotations

import json

import pytest

from parsers import ParseError, UnknownLayoutError, decode_body, detect_layout, parse_page
from tests.parsers.golden import CASES, case_files, case_url


@pytest.mark.parametrize("page", case_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_detector_picks_the_layout_of_each_case(page):
    text = decode_body(page.read_bytes())
    assert detect_layout(text).layout == page.parent.name  # by content alone
    assert detect_layout(text, case_url(page)).layout == page.parent.name


def load(relative: str):
    page = CASES / relative
    return parse_page(decode_body(page.read_bytes()), case_url(page))


def test_rt_movie_pages_give_their_json_ld_reviews_the_tooltip_scores():
    departed = load("rt_movie_page/departed_2021.html")
    assert len(departed.reviews) == 24  # the JSON-LD reviews, no audience bubbles
    scored = {r["critic_name"]: r["score_raw"] for r in departed.reviews if r["score_raw"]}
    assert scored["Namrata Joshi"] == "4/4"
    assert len(scored) == 6
    one = load("rt_movie_page/1922_2017_2021.html")
    assert sorted(r["score_raw"] for r in one.reviews if r["score_raw"]) == sorted(
        ["4/5", "2/4", "3/5", "3/4", "4/5", "8/10", "3/5"]
    )
    assert {r["movie_title"] for r in one.reviews} == {"1922"}
    assert {r["movie_year"] for r in one.reviews} == {2017}


def test_review_row_splits_the_score_line_by_label_not_position():
    html = """<html><head><title>X - Movie Reviews | Rotten Tomatoes</title></head><body>
    <div class="review-row" data-qa="review-item">
      <score-icon-critic state="fresh"></score-icon-critic>
      <a class="display-name" href="/critic/a-b">A B</a><a class="publication">Paper</a>
      <p class="review-text">Good.</p>
      <p class="original-score-and-url">
        <a data-qa="full-review-link" href="https://r">Full Review</a> | Mar 18, 2022</p>
    </div></body></html>"""
    (review,) = parse_page(html, "https://www.rottentomatoes.com/m/x/reviews").reviews
    assert (review["score_raw"], review["date_raw"]) == (None, "Mar 18, 2022")
    assert review["review_url"] == "https://r"


def test_json_feed_follows_its_cursor_and_stops_on_the_last_page():
    first = load("rt_api/i_see_you_2024_shape.json")
    assert first.next_urls == (
        "https://www.rottentomatoes.com/cnapi/movie/4d4bbcb3-71e7-3587-9b1f-4f1e0aaf8f0d"
        "/reviews/all?type=critic&after=NQ%3D%3D",
    )
    last = json.loads((CASES / "rt_api/i_see_you_2024_shape.json").read_text())
    last["pageInfo"]["hasNextPage"] = False
    assert parse_page(json.dumps(last), "https://www.rottentomatoes.com/cnapi/x").next_urls == ()


def test_2021_napi_feed_pages_on_with_its_end_cursor_and_stops_when_it_repeats():
    page = CASES / "rt_json_feed/fast_x_2021_shape.json"
    feed = json.loads(page.read_text())
    feed["pageInfo"] = {"hasNextPage": True, "endCursor": "Y3Vyc29y"}
    url = case_url(page)
    (following,) = parse_page(json.dumps(feed), url).next_urls
    assert following == url.replace("endCursor=", "endCursor=Y3Vyc29y")
    assert parse_page(json.dumps(feed), following).next_urls == ()


def test_review_table_row_pages_link_their_other_pages():
    page = load("review_table_row/randy_and_the_mob_p1.html")
    assert (page.page_number, page.page_count) == (1, 2)
    assert page.next_urls == (
        "https://www.rottentomatoes.com/m/randy_and_the_mob/reviews/?page=2&sort=",
    )


@pytest.mark.parametrize(
    ("rating", "expected"),
    [
        ({"ratingValue": "4"}, ("4/5", None)),  # bestRating defaults to 5
        ({"ratingValue": 7, "bestRating": "10", "worstRating": "0"}, ("7/10", None)),
        ({"ratingValue": "3", "bestRating": "5", "worstRating": "1"}, ("3/5", None)),
        ({"ratingValue": 2, "bestRating": 2, "worstRating": -2}, ("4/4", None)),
        ({"ratingValue": 1, "bestRating": "1", "worstRating": "-1"}, (None, "fresh")),
        ({"ratingValue": -1, "bestRating": "1", "worstRating": "-1"}, (None, "rotten")),
        ({"ratingValue": "B+"}, ("B+", None)),
    ],
)
def test_schema_org_ratings(rating, expected):
    document = {
        "@context": "https://schema.org",
        "@type": "Review",
        "itemReviewed": {"@type": "Movie", "name": "M"},
        "reviewBody": "Fine.",
        "reviewRating": {"@type": "Rating", **rating},
    }
    (review,) = parse_page(json.dumps(document), "https://critic.example/m").reviews
    assert (review["score_raw"], review["sentiment"]) == expected


def test_recognised_page_without_reviews_names_the_layout():
    with pytest.raises(ParseError) as raised:
        parse_page("<html><div class='review_table_row_header'></div></html>", "https://x/m/y")
    assert raised.value.layout == "review_table_row"
    assert "no div.review_table_row rows" in str(raised.value)


def test_windows_1252_page_without_a_declaration_still_parses():
    html = (
        "<html><head><title>Caf\xe9 Society - Movie Reviews - Rotten Tomatoes</title></head>"
        "<body>June 2, 2016<br>\u201cLovely\u201d and bittersweet.<br>Full Review</body></html>"
    ).encode("cp1252")
    page = parse_page(decode_body(html), "file:///cafe.html")
    assert page.reviews[0]["movie_title"] == "Café Society"
    assert page.reviews[0]["quote_raw"] == "\u201cLovely\u201d and bittersweet."


def test_utf8_bom_and_malformed_html_are_tolerated():
    html = (
        "\ufeff<html><title>Bad - Movie Reviews - Rotten Tomatoes</title></div>"
        "<body><p>May 1, 2001<p>Ok <b>bold</i><td>"
    )
    (review,) = parse_page(decode_body(html.encode()), "file:///bad.html").reviews
    assert (review["movie_title"], review["quote_raw"]) == ("Bad", "Ok bold")


def test_unknown_layout_lists_every_layout_tried():
    with pytest.raises(UnknownLayoutError) as raised:
        parse_page("<html><body>nothing</body></html>", "file:///x")
    for layout in (
        "rt_api",
        "rt_json_feed",
        "review_row",
        "review_table_row",
        "schema_org",
        "legacy_text",
    ):
        assert layout in str(raised.value)
