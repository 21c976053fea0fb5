"""Today's Rotten Tomatoes end to end, against a local server standing in for the site: a
reviews page of cards leads to the review API, every page of it is read once, a nightly
re-run asks only for what is new, and a refusal is recorded without losing the cards."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bench.render import Movie, Review, rt_review_cards, rt_scorecard
from tests.conftest import FIXTURES
from tests.flows.test_ingest import ingest
from tests.helpers import table
from warehouse.publish import reading

pytestmark = pytest.mark.usefixtures("prefect_harness")

LOCAL = {"allow_hosts": ["127.0.0.1"], "min_delay_s": 0.0, "autothrottle": False}
PAGE_SIZE = 20
MERIDIAN = Movie("Glass Meridian", "glass_meridian", 2026, "6b1c2f0e-4d3a-3b6e-9a51-0c7d2e8f4a11")
SHUT = Movie("Shut Door", "shut_door", 2026, "0d9e8f7a-1b2c-3d4e-8f5a-6b7c8d9e0f12")
ROBOTS = FIXTURES / "rt_robots_2024.txt"  # RT's real robots.txt of 2024


def real_reviews(count: int) -> list[Review]:
    """Real critics, publications, scores, calls and quotes (a 2023 scrape), made into
    today's reviews, newest first, each with an API id of its own."""
    with (FIXTURES / "rt_scraped_critic_reviews_2023_lzwxxx.csv").open(encoding="utf-8") as f:
        rows = [row for row in csv.DictReader(f) if row["critic_name"] and row["review_content"]]
    now = datetime.now(UTC)
    return [
        Review(
            critic=row["critic_name"],
            publication=row["publisher_name"],
            quote=row["review_content"],
            review_date=(now - timedelta(days=2 + number)).date(),
            score=row["review_score"].strip() or None,
            fresh=row["review_type"] == "fresh",
            top_critic=row["top_critic"] == "TRUE",
            url=f"https://example.org/review/{number}",
            review_id=f"rv-{number:04d}",
        )
        for number, row in enumerate(rows[:count])
    ]


def stamp(review: Review) -> str:
    """How a card writes a review's date: days ago within the week, else `Mon DD`."""
    days = (datetime.now(UTC).date() - review.review_date).days
    return f"{days}d" if days < 7 else f"{review.review_date:%b} {review.review_date.day}"


@dataclass
class Site:
    """The state the stand-in serves: per title, its reviews newest first."""

    reviews: dict[str, list[Review]] = field(default_factory=dict)
    refuse_api: set[str] = field(default_factory=set)

    def page(self, movie: Movie) -> str:
        shown = self.reviews[movie.slug][:PAGE_SIZE]
        liked = sum(1 for review in self.reviews[movie.slug] if review.fresh)
        total = len(self.reviews[movie.slug])
        card = rt_scorecard(round(100 * liked / total), total, liked, top=50, ratings="100+")
        return rt_review_cards(movie, shown, [stamp(r) for r in shown], scorecard=card)

    def api(self, movie: Movie, after: str | None) -> dict:
        start = int(after[1:]) if after else 0
        reviews = self.reviews[movie.slug][start : start + PAGE_SIZE]
        more = start + PAGE_SIZE < len(self.reviews[movie.slug])
        return {
            "reviews": [api_review(review) for review in reviews],
            "pageInfo": {
                "hasNextPage": more,
                "endCursor": f"c{start + PAGE_SIZE}" if more else None,
                "startCursor": f"c{start}",
                "hasPreviousPage": start > 0,
            },
        }


def api_review(review: Review) -> dict:
    return {
        "reviewId": review.review_id,
        "scoreSentiment": "POSITIVE" if review.fresh else "NEGATIVE",
        "originalScore": review.score,
        "isTopReview": False,
        "publicationReviewUrl": review.url,
        "createDate": f"{review.review_date.isoformat()}T18:30:00.000Z",
        "reviewQuote": review.quote,
        "critic": {
            "displayName": review.critic,
            "vanity": review.vanity,
            "isTopCritic": review.top_critic,
            "rottenTomatoesUrl": f"/critic/{review.vanity}",
        },
        "publication": {"name": review.publication, "isTopPublication": False},
    }


def serve(httpserver: HTTPServer, site: Site) -> None:
    movies = {movie.ems_id: movie for movie in (MERIDIAN, SHUT)}

    def reviews_page(request: Request) -> Response:
        slug = request.path.split("/")[2]
        movie = next(m for m in movies.values() if m.slug == slug)
        return Response(site.page(movie), content_type="text/html; charset=utf-8")

    def api(request: Request) -> Response:
        movie = movies[request.path.split("/")[5]]
        if movie.slug in site.refuse_api:
            return Response("Unauthorized", status=401)
        body = json.dumps(site.api(movie, request.args.get("after") or None))
        return Response(body, content_type="application/json")

    httpserver.expect_request("/robots.txt").respond_with_data(
        ROBOTS.read_text(), content_type="text/plain"
    )
    for movie in movies.values():
        httpserver.expect_request(f"/m/{movie.slug}/reviews").respond_with_handler(reviews_page)
        httpserver.expect_request(
            f"/napi/rtcf/v1/movies/{movie.ems_id}/reviews"
        ).respond_with_handler(api)


def api_requests(httpserver: HTTPServer, since: int = 0) -> list[str | None]:
    """The `after` cursor of every API request since the `since`-th request."""
    return [
        request.args.get("after") or None
        for request, _ in httpserver.log[since:]
        if "/napi/" in request.path
    ]


def test_a_title_is_read_whole_once_then_only_what_is_new(httpserver, warehouse_path, monkeypatch):
    site = Site(reviews={MERIDIAN.slug: real_reviews(49)[2:]})  # two held back for night two
    serve(httpserver, site)
    monkeypatch.setenv("REVIEWHOUSE_RT_BASE_URL", httpserver.url_for("/").rstrip("/"))

    first = ingest([f"rt:{MERIDIAN.slug}"], warehouse_path, **LOCAL)
    assert first.status == "completed"
    assert api_requests(httpserver) == [None, "c20", "c40"]
    with reading(warehouse_path) as con:
        rows = table(
            con,
            "SELECT source_review_id, movie_title, critic_name, quote, source_layout "
            "FROM reviews ORDER BY source_review_id",
        )
        assert table(con, "SELECT count(DISTINCT review_id) FROM fct_reviews")[0][0] == 47
    served = site.reviews[MERIDIAN.slug]
    assert [row[0] for row in rows] == sorted(review.review_id for review in served)
    assert {row[1] for row in rows} == {"Glass Meridian"}
    # the 20 reviews read both from a card and from the API are one row each, with the API's
    # fields: every row has its review id and the API's layout
    assert {row[4] for row in rows} == {"rt_api"}

    new = real_reviews(2)
    site.reviews[MERIDIAN.slug] = [*new, *served]
    asked_before = len(httpserver.log)
    second = ingest([f"rt:{MERIDIAN.slug}"], warehouse_path, **LOCAL)
    assert second.status == "completed"
    assert api_requests(httpserver, asked_before) == [None]  # the first API page only
    assert (second.reviews_new, second.reviews_updated) == (2, 0)
    with reading(warehouse_path) as con:
        loaded = {row[0] for row in table(con, "SELECT source_review_id FROM fct_reviews")}
        assert table(con, "SELECT count(*) FROM fct_reviews")[0][0] == 49
        snapshots = table(
            con,
            "SELECT tomatometer, critic_review_count, critic_liked, top_critics_tomatometer, "
            "audience_rating_count FROM movie_score_snapshots ORDER BY captured_at",
        )
    assert loaded == {review.review_id for review in site.reviews[MERIDIAN.slug]}
    liked_first = sum(1 for review in served if review.fresh)
    liked_second = liked_first + sum(1 for review in new if review.fresh)
    assert snapshots == [
        (round(100 * liked_first / 47), 47, liked_first, 50, "100+"),
        (round(100 * liked_second / 49), 49, liked_second, 50, "100+"),
    ]

    asked_before = len(httpserver.log)
    ingest([f"rt:{MERIDIAN.slug}"], warehouse_path, full_refresh=True, **LOCAL)
    assert api_requests(httpserver, asked_before) == [None, "c20", "c40"]  # every page again


def test_a_refused_api_still_loads_the_cards_and_records_the_refusal(
    httpserver, warehouse_path, monkeypatch
):
    site = Site(reviews={SHUT.slug: real_reviews(3)}, refuse_api={SHUT.slug})
    serve(httpserver, site)
    monkeypatch.setenv("REVIEWHOUSE_RT_BASE_URL", httpserver.url_for("/").rstrip("/"))

    run = ingest([f"rt:{SHUT.slug}"], warehouse_path, **LOCAL)
    assert run.status == "completed"
    assert run.reviews_loaded == 3
    with reading(warehouse_path) as con:
        cards = table(con, "SELECT critic_name, source_layout FROM reviews ORDER BY critic_name")
        problems = table(con, "SELECT stage, source_url, reason FROM quarantine")
    assert cards == sorted((r.critic, "rt_review_card") for r in site.reviews[SHUT.slug])
    ((stage, url, reason),) = problems
    assert stage == "fetch"
    assert f"/napi/rtcf/v1/movies/{SHUT.ems_id}/reviews" in url
    assert "refused" in reason
    assert "401" in reason
