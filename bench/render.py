"""Render review records into every page layout reviewhouse reads.

Markup follows the selectors documented in `../shared/reference/page-layouts.md` (real
scrapers of each era). Used for the golden fixtures of the layouts no saved page exists for,
and by the benchmark's synthetic corpus, which adds realistic surrounding markup.
"""

from __future__ import annotations

import html
import json
import zlib
from dataclasses import dataclass
from datetime import date

RT = "https://www.rottentomatoes.com"


@dataclass(frozen=True)
class Review:
    critic: str | None
    publication: str | None
    quote: str
    review_date: date
    score: str | None = None
    fresh: bool | None = None
    top_critic: bool = False
    url: str | None = None
    review_id: str | None = None  # RT's own id, as its review API gives it

    @property
    def vanity(self) -> str | None:
        if not self.critic:
            return None
        return "-".join(
            "".join(c for c in word if c.isalnum()) for word in self.critic.lower().split()
        )


@dataclass(frozen=True)
class Movie:
    title: str
    slug: str
    year: int | None
    ems_id: str = "00000000-0000-0000-0000-000000000000"


def _e(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def _long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _short_date(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _sentiment(review: Review) -> str:
    return "fresh" if review.fresh else "rotten"


# --- legacy text (about 2007-2014) --------------------------------------------------------


def legacy_text(movie: Movie, reviews: list[Review], page: int = 1, pages: int = 1) -> str:
    lines = [f"{movie.title} - Movie Reviews - Rotten Tomatoes", "", f"{movie.title} Reviews", ""]
    lines.append(f"Page {page} of {pages}")
    for review in reviews:
        lines += [_long_date(review.review_date), review.quote]
        if review.score:
            lines.append(f"Full Review | Original Score: {review.score}")
        elif review.url:
            lines.append("Full Review")
    lines.append(f"Page {page} of {pages}")
    return "\n".join(lines) + "\n"


# --- review_table_row (about 2015-2020) ---------------------------------------------------


def review_table_row(
    movie: Movie, reviews: list[Review], page: int = 1, pages: int = 1, filler: str = ""
) -> str:
    rows = []
    for review in reviews:
        top = (
            '<div class="small" style="color:#3A9425"><span class="glyphicon glyphicon-star">'
            "</span> Top Critic</div>"
            if review.top_critic
            else ""
        )
        critic = (
            f'<a href="/critic/{review.vanity}/" class="unstyled bold articleLink">'
            f"{_e(review.critic)}</a>"
            if review.critic
            else ""
        )
        link = f'<a href="{_e(review.url)}" target="_blank" rel="nofollow">Full Review</a>'
        score = f" | Original Score: {_e(review.score)}" if review.score else ""
        rows.append(
            f"""<div class="row review_table_row">
 <div class="col-xs-8">
  <div class="col-sm-7 col-xs-16 critic_img"><img class="critic_thumb fullWidth" src="https://resizing.flixster.com/x.jpg" width="50px"/></div>
  <div class="col-sm-4 col-xs-8 top_critic col-sm-push-13">{top}</div>
  <div class="col-sm-13 col-xs-24 col-sm-pull-4 critic_name">
    {critic} <br/> <em class="subtle">{_e(review.publication)}</em></div>
 </div>
 <div class="col-xs-16 review_container">
  <div class="review_icon icon small {_sentiment(review)}"></div>
  <div class="review_area">
   <div class="review_date subtle small"> {_long_date(review.review_date)}</div>
   <div class="review_desc">
    <div class="the_review"> {_e(review.quote)}</div>
    <div class="small subtle"> {link}{score}</div>
 </div></div></div></div>"""
        )
    paging = f'<span class="pageInfo">Page {page} of {pages}</span>'
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{_e(movie.title)} ({movie.year}) - Movie Reviews - Rotten Tomatoes</title>
</head><body>
<div id="header_and_leaderboard">{filler}</div>
<h2 class="panel-heading"><a href="/m/{movie.slug}/">{_e(movie.title)}</a> Reviews</h2>
<div class="panel-body content_body">
<div class="content">{paging}
<div class="review_table">
{chr(10).join(rows)}
</div>{paging}</div></div>
<footer>{filler}</footer>
</body></html>
"""


# --- review-row (about 2020-2023) ---------------------------------------------------------


def review_row(
    movie: Movie, reviews: list[Review], filler: str = "", deprecated: bool = False
) -> str:
    icon_tag = "score-icon-critic-deprecated" if deprecated else "score-icon-critic"
    rows = []
    for review in reviews:
        state = _sentiment(review)
        sentiment = ' sentiment="POSITIVE"' if review.fresh else ' sentiment="NEGATIVE"'
        icon = (
            f'<{icon_tag} alignment="left" percentage="hide" size="1" state="{state}"'
            f"{sentiment if deprecated else ''}></{icon_tag}>"
        )
        top = '<rt-icon-top-critic size="1"></rt-icon-top-critic>' if review.top_critic else ""
        score = f" | Original Score: {_e(review.score)}" if review.score else ""
        rows.append(
            f"""<div class="review-row" data-qa="review-item">
  <div class="review-data">
    {icon}
    <div class="reviewer-name-and-publication">
      <a class="display-name" data-qa="review-critic-link" href="/critic/{review.vanity}">{_e(review.critic)}</a>{top}
      <a class="publication" data-qa="review-publication" href="/source-{zlib.crc32((review.publication or "").encode()) % 9999}">{_e(review.publication)}</a>
    </div>
  </div>
  <div class="review-text-container">
    <p class="review-text" data-qa="review-quote">{_e(review.quote)}</p>
    <p class="original-score-and-url">
      <a data-qa="full-review-link" href="{_e(review.url)}" target="_blank">Full Review</a>{score} |
      <span data-qa="review-date">{_short_date(review.review_date)}</span>
    </p>
  </div>
</div>"""
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{_e(movie.title)} - Movie Reviews | Rotten Tomatoes</title>
</head><body>
<div id="header-main">{filler}</div>
<div class="review-container"><div class="reviews-container">
{chr(10).join(rows)}
</div>
<div class="load-more-container"><rt-button data-qa="load-more-btn">Load More</rt-button></div>
</div>
<footer>{filler}</footer>
</body></html>
"""


# --- RT JSON feed (2021-2025) -------------------------------------------------------------


def rt_json_feed(
    movie: Movie,
    reviews: list[Review],
    *,
    end_cursor: str | None = None,
    shape: int = 2024,
) -> str:
    items = []
    for number, review in enumerate(reviews):
        if shape >= 2024:
            items.append(
                {
                    "reviewId": review.review_id or str(100000 + number),
                    "scoreSentiment": "POSITIVE" if review.fresh else "NEGATIVE",
                    "originalScore": review.score,
                    "isTopReview": False,
                    "publicationReviewUrl": review.url,
                    "createDate": f"{review.review_date.isoformat()}T12:00:00.000Z",
                    "reviewQuote": review.quote,
                    "critic": {
                        "displayName": review.critic,
                        "rottenTomatoesUrl": f"{RT}/critic/{review.vanity}"
                        if review.critic
                        else None,
                        "isTopCritic": review.top_critic,
                        "vanity": review.vanity,
                    },
                    "publication": {"name": review.publication},
                }
            )
        else:
            items.append(
                {
                    "creationDate": _short_date(review.review_date),
                    "isFresh": bool(review.fresh),
                    "isRotten": not review.fresh,
                    "isTopCritic": review.top_critic,
                    "quote": review.quote,
                    "reviewUrl": review.url,
                    "scoreOri": review.score or "",
                    "scoreSentiment": "POSITIVE" if review.fresh else "NEGATIVE",
                    "critic": {"name": review.critic, "vanity": review.vanity},
                    "publication": {"name": review.publication},
                }
            )
    payload = {
        "reviews": items,
        "pageInfo": {
            "hasNextPage": end_cursor is not None,
            "endCursor": end_cursor,
            "startCursor": None,
        },
    }
    return json.dumps(payload, ensure_ascii=False, indent=1)


# --- today's RT (2024-2026): review cards with slots, the props blob, the scorecard ------


def rt_review_cards(
    movie: Movie,
    reviews: list[Review],
    stamps: list[str],
    *,
    scorecard: dict | None = None,
    element: str = "review-card-critic",
    filler: str = "",
) -> str:
    """A reviews page as RT serves it today: one card per review, fields in `slot`s, each
    card's shadow-root template beside them, the `props` blob naming the title's emsId.
    `stamps` are the cards' timestamps as the site writes them (`3d`, `Mar 20`, ...)."""
    cards = []
    for review, stamp in zip(reviews, stamps, strict=True):
        flags = " top-critic top-publication" if review.top_critic else ""
        score = f"<span>{_e(review.score)}</span>" if review.score else ""
        sentiment = "POSITIVE" if review.fresh else "NEGATIVE"
        cards.append(
            f"""<{element} approved-critic approved-publication{flags}>
  <template shadowrootmode="open"><div class="card"><slot name="name"></slot>
    <slot name="publication"></slot><span>Top Critic</span><slot name="review"></slot></div>
  </template>
  <rt-link slot="name" href="/critic/{_e(review.vanity)}">{_e(review.critic)}</rt-link>
  <rt-text slot="publication"> {_e(review.publication)} </rt-text>
  <span slot="timestamp">{_e(stamp)}</span>
  <div slot="rating"><score-icon-critics sentiment="{sentiment}"></score-icon-critics>{score}</div>
  <span slot="review">{_e(review.quote)}</span>
  <rt-link slot="review-link" href="{_e(review.url)}">Go to Full Review</rt-link>
</{element}>"""
        )
    props = {
        "vanity": {"emsId": movie.ems_id, "href": f"/m/{movie.slug}"},
        "reviewType": "critic",
        "media": {"title": movie.title, "releaseYear": str(movie.year or "")},
    }
    card_json = ""
    if scorecard is not None:
        card_json = (
            '<script id="media-scorecard-json" data-json="mediaScorecard"\n'
            f'  type="application/json">{json.dumps(scorecard)}</script>'
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{_e(movie.title)} ({movie.year}) - Critic Reviews | Rotten Tomatoes</title>
<script type="application/json" data-json="props">{json.dumps(props)}</script>
{card_json}
</head><body><rt-header></rt-header>{filler}
<main><h1>{_e(movie.title)} Reviews</h1>
<div class="review-card-list">
{chr(10).join(cards)}
</div>
<rt-button data-qa="load-more-btn">Load More</rt-button>
</main><footer>Rotten Tomatoes</footer></body></html>
"""


def rt_scorecard(
    tomatometer: int | None,
    reviews: int,
    liked: int,
    *,
    certified: bool = False,
    top: int | None = None,
    popcornmeter: int | None = None,
    ratings: str | None = None,
) -> dict:
    """RT's `media-scorecard-json` blob for a title."""
    critics = {
        "title": "Tomatometer",
        "reviewCount": reviews,
        "likedCount": liked,
        "notLikedCount": reviews - liked,
        "certified": certified,
        "sentiment": "POSITIVE" if (tomatometer or 0) >= 60 else "NEGATIVE",
    }
    if tomatometer is not None:
        critics["score"] = str(tomatometer)
    audience = {"title": "Popcornmeter", "certified": False, "bandedRatingCount": ratings}
    if popcornmeter is not None:
        audience["score"] = str(popcornmeter)
    overlay = {"criticsTop": {"score": str(top)} if top is not None else {}}
    return {"criticsScore": critics, "audienceScore": audience, "overlay": overlay}


# --- RT movie page (about 2018-2021): JSON-LD plus quote bubbles --------------------------


def rt_movie_page(movie: Movie, reviews: list[Review], filler: str = "", bubbles: int = 6) -> str:
    ld = {
        "@context": "http://schema.org",
        "@type": "Movie",
        "name": movie.title,
        "url": f"{RT}/m/{movie.slug}",
        "review": [
            {
                "@type": "Review",
                "reviewBody": review.quote,
                "url": review.url,
                "dateCreated": f"{review.review_date.isoformat()}T05:12:15-08:00",
                "author": {
                    "@type": "Person",
                    "url": f"{RT}/critic/{review.vanity}",
                    "name": review.critic,
                },
                "reviewRating": {
                    "@type": "Rating",
                    "bestRating": "1",
                    "worstRating": "-1",
                    "ratingValue": 1 if review.fresh else -1,
                },
                "publisher": {"@type": "Organization", "name": review.publication},
            }
            for review in reviews
        ],
    }
    items = []
    for review in reviews[:bubbles]:
        tooltip = f' title="Original Score: {_e(review.score)}"' if review.score else ""
        rating = f"| Rating: {_e(review.score)}" if review.score else ""
        items.append(
            f"""<li class="quote_bubble {"top_critic" if review.top_critic else ""} pull-left cl" data-qa="quote-bubble">
 <div class="review_quote"><div class="media"><div class="pull-left">
  <span rel="tooltip" data-toggle="tooltip"{tooltip} class="media-img icon small {_sentiment(review)}"></span></div>
  <blockquote class="media-body quote_bubble__quote"><p>{_e(review.quote)}</p>
   <div class="pull-right smaller">{_long_date(review.review_date)} {rating} | <a href="{_e(review.url)}" data-qa="quote-bubble-review-link">Full Review&hellip;</a></div>
  </blockquote></div></div>
 <div class="review_source media"><cite class="media-body quote_bubble__cite">
  <p class="quote_bubble__cite-author"><a class="unstyled articleLink fgm" href="/critic/{review.vanity}" data-qa="quote-bubble-critic-link">{_e(review.critic)}</a></p>
  <a class="subtle small" href="#" data-qa="quote-bubble-source-link">{_e(review.publication)}</a>
 </cite></div>
</li>"""
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{_e(movie.title)} ({movie.year}) - Rotten Tomatoes</title>
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head><body>
<div id="header-main">{filler}</div>
<section class="critics-reviews"><ul class="quote_bubbles">{chr(10).join(items)}</ul></section>
<footer>{filler}</footer>
</body></html>
"""


# --- schema.org Review on a critic's own site ---------------------------------------------


def schema_org_review(movie: Movie, review: Review, filler: str = "") -> str:
    value, best = (
        (review.score or "").partition("/")[::2]
        if review.score and "/" in review.score
        else ("", "")
    )
    rating = (
        {"@type": "Rating", "ratingValue": value, "bestRating": best, "worstRating": "0"}
        if value
        else None
    )
    ld = {
        "@context": "https://schema.org",
        "@type": "Review",
        "itemReviewed": {
            "@type": "Movie",
            "name": movie.title,
            **({"datePublished": str(movie.year)} if movie.year else {}),
        },
        "author": {"@type": "Person", "name": review.critic},
        "publisher": {"@type": "Organization", "name": review.publication},
        "datePublished": review.review_date.isoformat(),
        "reviewBody": review.quote,
        "url": review.url,
        **({"reviewRating": rating} if rating else {}),
    }
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{_e(movie.title)} review | {_e(review.publication)}</title>
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head><body><article><h1>{_e(movie.title)} review</h1><p>{_e(review.quote)}</p></article>
<aside>{filler}</aside></body></html>
"""
