"""RT's own scores read off a page: the `media-scorecard-json` blob, else JSON-LD."""

from __future__ import annotations

import json

import pytest

from parsers import decode_body
from parsers.scorecard import SCORECARD_VALUES, page_title_of, scorecard_of, script_bodies
from tests.parsers.golden import CASES

RT = "https://www.rottentomatoes.com"
NONE = dict.fromkeys(SCORECARD_VALUES)

BLOB = {
    "criticsScore": {
        "title": "Tomatometer",
        "score": "93",
        "sentiment": "POSITIVE",
        "certified": True,
        "reviewCount": 412,
        "likedCount": 383,
        "notLikedCount": 29,
        "averageRating": "8.30",
        "ratingCount": 412,
    },
    "audienceScore": {
        "title": "Popcornmeter",
        "score": "87",
        "certified": False,
        "bandedRatingCount": "250,000+ Ratings",
        "averageRating": "4.3",
    },
    "overlay": {
        "criticsAll": {"score": "93"},
        "criticsTop": {"score": "88", "reviewCount": 58},
        "audienceAll": {"score": "87"},
    },
}


def page(body: str) -> str:
    return f"<html><head><title>Dune | Rotten Tomatoes</title></head><body>{body}</body></html>"


def scorecard_script(payload: str) -> str:
    # As RT writes it: the opening tag over several lines, `id` after `data-json`.
    return (
        '<script\n    data-json="mediaScorecard"\n    id="media-scorecard-json"\n'
        f'    type="application/json"\n>{payload}</script>'
    )


def test_every_value_of_the_blob_lands_in_its_field():
    text = page(scorecard_script(json.dumps(BLOB)))
    assert scorecard_of(text, f"{RT}/m/dune_part_two") == {
        "movie_title": None,
        "movie_slug": "dune_part_two",
        "movie_year": None,
        "movie_ref": None,
        "tomatometer": "93",
        "tomatometer_sentiment": "POSITIVE",
        "certified_fresh": "true",
        "critic_review_count": "412",
        "critic_liked": "383",
        "critic_not_liked": "29",
        "critic_average_rating": "8.30",
        "top_critics_tomatometer": "88",
        "popcornmeter": "87",
        "popcornmeter_certified": "false",
        "audience_rating_count": "250,000+ Ratings",  # banded text: all the blob gives
    }


def test_an_exact_rating_count_wins_over_the_banded_text():
    blob = {"audienceScore": {"score": "87", "ratingCount": 251_377, "bandedRatingCount": "x"}}
    card = scorecard_of(page(scorecard_script(json.dumps(blob))), f"{RT}/m/x")
    assert card is not None
    assert card["audience_rating_count"] == "251377"


def test_a_title_without_a_score_yet_keeps_its_counts():
    blob = {"criticsScore": {"reviewCount": 0, "certified": False}, "audienceScore": {}}
    card = scorecard_of(page(scorecard_script(json.dumps(blob))), f"{RT}/m/x")
    assert card is not None
    assert (card["tomatometer"], card["critic_review_count"], card["certified_fresh"]) == (
        None,
        "0",
        "false",
    )


def test_the_title_comes_from_the_props_blob():
    props = {"media": {"title": "Dune: Part Two", "releaseYear": 2024}, "vanity": {"emsId": "AB-1"}}
    text = page(
        scorecard_script(json.dumps(BLOB))
        + f'<script type="application/json" data-json="props">{json.dumps(props)}</script>'
    )
    card = scorecard_of(text, f"{RT}/m/dune_part_two/reviews")
    assert card is not None
    assert (card["movie_title"], card["movie_year"], card["movie_slug"], card["movie_ref"]) == (
        "Dune: Part Two",
        2024,
        "dune_part_two",
        "rt-ems:ab-1",
    )


def json_ld_page(node: dict) -> str:
    return page(f'<script type="application/ld+json">{json.dumps(node)}</script>')


def test_json_ld_aggregate_rating_when_there_is_no_blob():
    node = {
        "@context": "http://schema.org",
        "@type": "Movie",
        "name": "The Departed",
        "url": f"{RT}/m/departed",
        "dateCreated": "2006-10-06",
        "aggregateRating": {"name": "Tomatometer", "ratingValue": "90", "reviewCount": 282},
    }
    assert scorecard_of(json_ld_page(node), "file:///saved/departed.html") == {
        **NONE,
        "movie_title": "The Departed",
        "movie_slug": "departed",
        "movie_year": 2006,
        "movie_ref": None,
        "tomatometer": "90",
        "critic_review_count": "282",
    }


def test_json_ld_rating_count_stands_in_for_a_missing_review_count():
    node = {
        "@type": "TVSeason",
        "name": "Season 1",
        "aggregateRating": {"name": "Tomatometer", "ratingValue": 100, "ratingCount": "41"},
    }
    card = scorecard_of(json_ld_page(node), f"{RT}/tv/the_bear/s01")
    assert card is not None
    assert (card["tomatometer"], card["critic_review_count"], card["movie_slug"]) == (
        "100",
        "41",
        "tv/the_bear/s01",
    )


def test_another_sites_rating_of_a_film_is_not_a_tomatometer():
    node = {
        "@type": "Movie",
        "name": "Cocaine Bear",
        "url": "https://critic.example/cocaine-bear",
        "aggregateRating": {"ratingValue": "4", "bestRating": "5", "reviewCount": 12},
    }
    assert scorecard_of(json_ld_page(node), "https://critic.example/cocaine-bear") is None


def test_the_blob_wins_over_json_ld():
    node = {"@type": "Movie", "aggregateRating": {"name": "Tomatometer", "ratingValue": "1"}}
    text = json_ld_page(node) + scorecard_script(json.dumps(BLOB))
    card = scorecard_of(text, f"{RT}/m/x")
    assert card is not None
    assert card["tomatometer"] == "93"


@pytest.mark.parametrize(
    "payload",
    ['{"criticsScore": {"score": "93"', "not json at all", "[1, 2]", '{"unrelated": 1}', ""],
)
def test_a_broken_blob_is_no_scorecard(payload: str):
    assert scorecard_of(page(scorecard_script(payload)), f"{RT}/m/x") is None


def test_a_broken_blob_falls_back_to_json_ld():
    node = {"@type": "Movie", "aggregateRating": {"name": "Tomatometer", "ratingValue": "71"}}
    text = page(scorecard_script('{"criticsScore": {"sc')) + json_ld_page(node)
    card = scorecard_of(text, f"{RT}/m/x")
    assert card is not None
    assert card["tomatometer"] == "71"


def test_no_scores_on_the_page_is_none():
    assert scorecard_of(page("<p>media-scorecard</p>"), f"{RT}/m/x") is None
    assert scorecard_of("", "") is None
    assert scorecard_of('{"reviews": []}', f"{RT}/napi/rtcf/v1/movies/e/reviews") is None


def test_a_mention_of_the_blob_outside_a_script_tag_is_passed_over():
    text = page(
        '<p>see id="media-scorecard-json"</p>'
        '<script>document.getElementById("media-scorecard-json")</script>'
        + scorecard_script(json.dumps(BLOB))
    )
    card = scorecard_of(text, f"{RT}/m/x")
    assert card is not None
    assert card["tomatometer"] == "93"


def test_a_blob_cut_off_before_its_closing_tag_is_no_scorecard():
    text = page("") + scorecard_script(json.dumps(BLOB))[:-40]
    assert scorecard_of(text, f"{RT}/m/x") is None


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_json_nested_too_deep_is_broken_not_a_crash(depth: int):
    deep = "[" * depth + "]" * depth
    blob = '{"criticsScore": {"score": "93"}, "x": ' + deep + "}"
    assert scorecard_of(page(scorecard_script(blob)), f"{RT}/m/x") is None
    ld = '{"@type": "Movie", "aggregateRating": {"name": "Tomatometer"}, "x": ' + deep + "}"
    text = page(f'<script type="application/ld+json">{ld}</script>')
    assert scorecard_of(text, f"{RT}/m/x") is None
    props = f'<script type="application/json" data-json="props">{deep}</script>'
    assert page_title_of(page(props), f"{RT}/m/x").title is None


def test_json_ld_nested_deep_but_readable_is_searched_without_recursion():
    node: dict = {"@type": "Movie", "name": "Deep", "aggregateRating": {"ratingValue": "5"}}
    for _ in range(900):
        node = {"@type": "Thing", "about": node}
    text = page(f'<script type="application/ld+json">{json.dumps(node)}</script>')
    assert page_title_of(text, "file:///x").title is None  # too deep to be the page's title


def test_the_real_2021_movie_pages_give_their_json_ld_tomatometer():
    departed = decode_body((CASES / "rt_movie_page/departed_2021.html").read_bytes())
    card = scorecard_of(departed, f"{RT}/m/departed")
    assert card is not None
    assert (card["movie_title"], card["tomatometer"], card["critic_review_count"]) == (
        "The Departed",
        "90",
        "282",
    )
    miami = (CASES / "schema_org/one_night_in_miami_jsonld_2021.json").read_text()
    card = scorecard_of(miami, "file:///review.json")
    assert card is not None
    assert (card["movie_title"], card["tomatometer"], card["critic_review_count"]) == (
        "One Night in Miami",
        "98",
        "327",
    )


def test_script_bodies_finds_every_marked_script_and_only_those():
    text = (
        '<div data-json="props">no</div><script data-json="props">A</script>'
        '<SCRIPT type="application/json"\n data-json="props" >B</SCRIPT >'
    )
    assert [text[a:b] for a, b in script_bodies(text, 'data-json="props"')] == ["A", "B"]
