from __future__ import annotations

import pytest

from parsers import ParseError, parse_page
from tests.conftest import SEED_PAGE


def seed_text() -> str:
    return SEED_PAGE.read_text(encoding="utf-8")


def test_seed_page_has_20_reviews_14_with_a_score():
    parsed = parse_page(seed_text(), "file:///seed.txt")
    assert parsed.layout == "legacy_text"
    assert len(parsed.reviews) == 20
    assert sum(1 for review in parsed.reviews if review.get("score_raw")) == 14
    assert {review["movie_title"] for review in parsed.reviews} == {"Backstage"}
    assert (parsed.page_number, parsed.page_count) == (1, 1)


def test_entries_are_cut_at_date_lines_not_by_counting_lines():
    text = "\n".join(
        [
            "Some Film - Movie Reviews - Rotten Tomatoes",
            "Page 1 of 1",
            "May 1, 2001",
            "A quote that wraps",
            "over two lines.",
            "Full Review",
            "May 2, 2001",
            "A quote with no link line at all.",
            "May 3, 2001",
            "Read More | Original Score: 3/4",
        ]
    )
    reviews = parse_page(text, "file:///x.txt").reviews
    assert [r.get("quote_raw") for r in reviews] == [
        "A quote that wraps over two lines.",
        "A quote with no link line at all.",
        None,
    ]
    assert [r.get("score_raw") for r in reviews] == [None, None, "3/4"]


def test_impossible_dates_are_kept_as_written_for_the_transform_to_judge():
    text = "X - Movie Reviews - Rotten Tomatoes\nFebruary 30, 2009\nA quote.\n"
    (review,) = parse_page(text, "file:///x.txt").reviews
    assert review["date_raw"] == "February 30, 2009"


def test_page_with_the_marker_but_no_entries_is_a_parse_error():
    with pytest.raises(ParseError, match="no dated review entries") as raised:
        parse_page("Y - Movie Reviews - Rotten Tomatoes\nnothing here\n", "file:///y.txt")
    assert raised.value.layout == "legacy_text"


def test_web_page_links_its_other_pages():
    text = seed_text().replace("Page 1 of 1", "Page 2 of 3")
    parsed = parse_page(text, "https://www.rottentomatoes.com/m/backstage/reviews/?page=2")
    assert parsed.next_urls == (
        "https://www.rottentomatoes.com/m/backstage/reviews/?page=1",
        "https://www.rottentomatoes.com/m/backstage/reviews/?page=3",
    )
    assert parsed.reviews[0]["movie_slug"] == "backstage"
