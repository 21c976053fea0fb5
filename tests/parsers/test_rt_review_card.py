"""Today's RT review cards beyond the golden files: shadow-root templates, raw timestamps,
the props blob and the API link, pages with no cards, cards with missing parts."""

from __future__ import annotations

import json

import pytest

from parsers import ParseError, decode_body, detect_layout, page_links, parse_page
from parsers.rt_review_card import RtReviewCardParser
from tests.parsers.golden import CASES, case_files, case_url

RT = "https://www.rottentomatoes.com"
EMS = "9f2c1d4e-0b7a-3c55-8e21-6d4f3a2b1c0e"
API_QUERY = "reviews?pageCount=20&topOnly=false&type=critic&verified=false"
PARSER = RtReviewCardParser()

TEMPLATE = (
    '<template shadowrootmode="open"><div class="card">'
    '<slot name="name"><rt-link slot="name" href="/critic/ghost">Template Critic</rt-link></slot>'
    '<slot name="publication"><rt-text slot="publication">Template Paper</rt-text></slot>'
    '<slot name="timestamp"><span slot="timestamp">9d</span></slot>'
    '<slot name="rating"><span slot="rating"><span>0/5</span></span></slot>'
    '<score-icon-critics sentiment="TEMPLATE"></score-icon-critics>'
    '<slot name="review"><span slot="review">No review text available</span></slot>'
    '<slot name="review-link"><rt-link slot="review-link" href="/template">Full Review</rt-link>'
    "</slot></div></template>"
)


def card(
    *,
    tag: str = "review-card-critic",
    attributes: str = "approved-critic",
    critic: str | None = "Manohla Dargis",
    stamp: str = "3d",
    quote: str | None = "A film of rare grace.",
    extra: str = "",
) -> str:
    parts = [f"<{tag} {attributes}>", TEMPLATE]
    if critic is not None:
        parts.append(f'<rt-link slot="name" href="/critic/x">{critic}</rt-link>')
    parts.append('<rt-text slot="publication">New York Times</rt-text>')
    parts.append(f'<span slot="timestamp">{stamp}</span>')
    parts.append(
        '<div slot="rating"><score-icon-critics sentiment="POSITIVE"></score-icon-critics>'
    )
    parts.append("<span>4/5</span></div>")
    if quote is not None:
        parts.append(f'<span slot="review">{quote}</span>')
    parts.append(f"{extra}</{tag}>")
    return "".join(parts)


def props(ems: str | None = EMS, title: str = "Past Lives") -> str:
    vanity = {"emsId": ems, "href": "/m/past_lives"} if ems else {"href": "/m/past_lives"}
    blob = {"media": {"title": title, "releaseYear": 2023}, "vanity": vanity}
    return f'<script type="application/json" data-json="props">{json.dumps(blob)}</script>'


def page(*parts: str) -> str:
    return (
        "<!DOCTYPE html><html><head><title>Past Lives</title></head><body>"
        + "".join(parts)
        + "</body></html>"
    )


def test_template_placeholders_never_reach_a_field():
    text = page(props(), card(), card(critic=None, quote=None, extra='<span slot="x">y</span>'))
    first, second = parse_page(text, f"{RT}/m/past_lives/reviews").reviews
    assert (first["critic_name"], first["quote_raw"], first["date_raw"]) == (
        "Manohla Dargis",
        "A film of rare grace.",
        "3d",
    )
    assert (second["critic_name"], second["critic_url"], second["quote_raw"]) == (None, None, None)
    for review in (first, second):
        assert review["sentiment"] == "POSITIVE"
        assert review["review_url"] is None
        values = " ".join(str(value) for value in review.values())
        for leak in ("Template", "ghost", "9d", "0/5", "No review text", "/template"):
            assert leak not in values


@pytest.mark.parametrize(
    "stamp", ["5m", "47min", "2h", "2hrs", "3d", "3days", "Mar 20", "Dec 28", "07/13/2023"]
)
def test_timestamps_are_kept_exactly_as_written(stamp: str):
    (review,) = parse_page(page(props(), card(stamp=stamp)), f"{RT}/m/past_lives").reviews
    assert review["date_raw"] == stamp


def test_a_card_without_quote_or_critic_is_still_a_record():
    text = page(props(), card(critic=None), card(quote=None), card())
    reviews = parse_page(text, f"{RT}/m/past_lives/reviews").reviews
    assert [(r["critic_name"], r["quote_raw"]) for r in reviews] == [
        (None, "A film of rare grace."),
        ("Manohla Dargis", None),
        ("Manohla Dargis", "A film of rare grace."),
    ]


def test_the_api_link_is_on_the_pages_own_host():
    text = page(props(), card())
    for origin in (RT, "http://127.0.0.1:8765", "https://mirror.example"):
        url = f"{origin}/m/past_lives/reviews"
        expected = (f"{origin}/napi/rtcf/v1/movies/{EMS}/{API_QUERY}",)
        assert PARSER.links(text, url) == expected
        assert page_links(text, url) == expected
        assert parse_page(text, url).next_urls == expected


def test_a_tv_season_page_links_the_season_api():
    text = page(props(), card(tag="review-card"))
    url = "http://127.0.0.1:8765/tv/the_bear/s02/reviews/all-critics"
    parsed = parse_page(text, url)
    assert parsed.next_urls == (f"http://127.0.0.1:8765/napi/rtcf/v1/tv/seasons/{EMS}/{API_QUERY}",)
    assert parsed.reviews[0]["movie_slug"] == "tv/the_bear/s02"


def test_no_ems_id_means_no_link_but_the_cards_load():
    parsed = parse_page(page(props(ems=None), card(), card()), f"{RT}/m/past_lives/reviews")
    assert parsed.next_urls == ()
    assert PARSER.links(page(props(ems=None), card()), f"{RT}/m/past_lives") == ()
    assert len(parsed.reviews) == 2
    assert {r["movie_ref"] for r in parsed.reviews} == {None}
    assert {r["movie_title"] for r in parsed.reviews} == {"Past Lives"}


def test_a_props_blob_that_is_not_json_means_no_link_but_the_cards_load():
    broken = (
        '<script type="application/json" data-json="props">'
        f'{{"vanity": {{"emsId": "{EMS}", "href": "/m/past_lives"</script>'
    )
    url = f"{RT}/m/past_lives/reviews"
    parsed = parse_page(page(broken, card(), card()), url)
    assert parsed.next_urls == ()
    assert PARSER.links(page(broken, card()), url) == ()
    assert [r["critic_name"] for r in parsed.reviews] == ["Manohla Dargis"] * 2
    assert {(r["movie_slug"], r["movie_title"], r["movie_ref"]) for r in parsed.reviews} == {
        ("past_lives", None, None)
    }


def test_without_a_props_blob_the_ems_id_is_found_elsewhere_on_the_page():
    other = f'<script>window.__RT__ = {{"media": {{"emsId" : "{EMS}"}}}};</script>'
    parsed = parse_page(page(other, card()), f"{RT}/m/past_lives")
    assert parsed.next_urls == (f"{RT}/napi/rtcf/v1/movies/{EMS}/{API_QUERY}",)
    assert parsed.reviews[0]["movie_ref"] == f"rt-ems:{EMS}"


def test_a_page_with_the_props_blob_and_no_cards_is_empty_not_an_error():
    text = page(props(), '<div class="review-cards"></div>')
    assert detect_layout(text).layout == "rt_review_card"
    parsed = parse_page(text, "http://127.0.0.1:8765/m/past_lives/reviews")
    assert parsed.reviews == []
    assert parsed.next_urls == (f"http://127.0.0.1:8765/napi/rtcf/v1/movies/{EMS}/{API_QUERY}",)


def test_a_page_with_neither_cards_nor_props_is_a_parse_error():
    with pytest.raises(ParseError, match="no review cards") as raised:
        PARSER.parse(page("<p>nothing here</p>"), f"{RT}/m/past_lives")
    assert raised.value.layout == "rt_review_card"


def test_the_movie_falls_back_to_json_ld_then_to_the_url():
    ld = {"@type": "Movie", "name": "Past Lives", "dateCreated": "2023-06-02"}
    json_ld = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    (review,) = parse_page(page(json_ld, card()), f"{RT}/m/past_lives").reviews
    assert (review["movie_title"], review["movie_year"], review["movie_slug"]) == (
        "Past Lives",
        2023,
        "past_lives",
    )
    (review,) = parse_page(page(card()), f"{RT}/m/past_lives").reviews
    assert (review["movie_title"], review["movie_year"], review["movie_slug"]) == (
        None,
        None,
        "past_lives",
    )


@pytest.mark.parametrize(
    ("attributes", "top"),
    [
        ("approved-critic top-critic top-publication", True),
        ('top-critic=""', True),
        ('top-critic="true"', True),
        ('top-critic="false"', False),
        ("approved-critic top-publication", False),  # a top publication, not a top critic
        ("", False),
    ],
)
def test_top_critic_comes_from_the_cards_attributes(attributes: str, top: bool):
    (review,) = parse_page(page(props(), card(attributes=attributes)), f"{RT}/m/x").reviews
    assert review["is_top_critic"] is top


def test_rating_forms_and_a_card_with_no_score():
    span_form = (
        '<media-review-card-critic><score-icon-critics sentiment="negative"></score-icon-critics>'
        '<span slot="rating"><span style="color:gray">2/4</span></span>'
        '<drawer-more slot="review"><span slot="content">Flat.</span>'
        '<rt-link slot="ctaOpen">See more</rt-link></drawer-more></media-review-card-critic>'
    )
    no_score = (
        '<review-card><div slot="rating"><score-icon-critics sentiment="POSITIVE">'
        '</score-icon-critics></div><div slot="review">Fine.</div></review-card>'
    )
    reviews = parse_page(page(props(), span_form, card(), no_score), f"{RT}/m/x").reviews
    assert [(r["score_raw"], r["sentiment"], r["quote_raw"]) for r in reviews] == [
        ("2/4", "negative", "Flat."),
        ("4/5", "POSITIVE", "A film of rare grace."),
        (None, "POSITIVE", "Fine."),
    ]


def test_publications_as_links_or_text():
    linked = card().replace(
        '<rt-text slot="publication">New York Times</rt-text>',
        '<rt-link slot="publication" href="/critics/source/327">New York Times</rt-link>',
    )
    first, second = parse_page(page(props(), linked, card()), "http://127.0.0.1:9/m/x").reviews
    assert (first["publication"], first["publication_url"]) == (
        "New York Times",
        "http://127.0.0.1:9/critics/source/327",
    )
    assert (second["publication"], second["publication_url"]) == ("New York Times", None)


def test_old_layouts_pages_are_not_claimed():
    for case in case_files():
        if case.parent.name != "rt_review_card":
            assert not PARSER.looks_like(decode_body(case.read_bytes())), case.name


def golden(name: str):
    case = CASES / "rt_review_card" / f"{name}.html"
    return parse_page(decode_body(case.read_bytes()), case_url(case))


def test_the_golden_pages_carry_their_scorecards():
    # Hand-computed from the corpus rows the pages were built from (see the cases' README).
    fast_x = golden("fast_x_reviews_page").scorecard
    assert fast_x == {
        "movie_title": "Fast X",
        "movie_slug": "fast_x",
        "movie_year": 2023,
        "movie_ref": "rt-ems:8c3b4a02-6f3f-3b8e-9c39-1f8e2d5ad6a1",
        "tomatometer": "54",  # 128 of 238 fresh
        "tomatometer_sentiment": "NEGATIVE",
        "certified_fresh": "false",
        "critic_review_count": "238",
        "critic_liked": "128",
        "critic_not_liked": "110",
        "critic_average_rating": "5.60",
        "top_critics_tomatometer": "50",
        "popcornmeter": "84",
        "popcornmeter_certified": "true",
        "audience_rating_count": "10,000+ Ratings",
    }
    alfie = golden("alfie_movie_page").scorecard
    assert alfie is not None
    assert (alfie["tomatometer"], alfie["critic_liked"], alfie["critic_not_liked"]) == (
        "96",  # 26 of 27
        "26",
        "1",
    )
    assert (alfie["top_critics_tomatometer"], alfie["audience_rating_count"]) == ("100", "6034")
    assert golden("luther_tv_season_page").scorecard is None  # the page states no scores
