"""A deterministic synthetic corpus: movies in every layout reviewhouse reads, with realistic
page sizes, review counts and the real mix of score formats.

Review counts per movie follow a clipped log-normal (3 to 300, about 20 a page); pages carry
100-500 KB of surrounding markup (median about 150 KB) built from navigation, inline script
data and footers, as real review pages do; scores follow the format frequencies measured on
the Kaggle slice (`../shared/reference/page-layouts.md` section 3), with a sprinkle of the
rarer spellings. Fresh/rotten follows the score with the noise real critics show.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench.render import (
    Movie,
    Review,
    legacy_text,
    review_row,
    review_table_row,
    rt_json_feed,
    rt_movie_page,
    schema_org_review,
)

SIZES: dict[str, int] = {"small": 24, "medium": 1_500, "large": 33_000}  # movies
REVIEWS_PER_PAGE = 20
LAYOUT_WEIGHTS: dict[str, float] = {
    "review_table_row": 0.30,
    "review_row": 0.30,
    "rt_api": 0.15,
    "legacy_text": 0.10,
    "rt_movie_page": 0.10,
    "schema_org": 0.05,
}
# (format, weight): the Kaggle slice's mix, plus rarer spellings seen elsewhere
SCORE_FORMATS: list[tuple[str, float]] = [
    ("empty", 0.234),
    ("x/5", 0.298),
    ("x/4", 0.290),
    ("x/10", 0.042),
    ("x/100", 0.006),
    ("letter", 0.120),
    ("x out of y", 0.003),
    ("stars", 0.003),
    ("percent", 0.002),
    ("spaced", 0.002),
]
LETTERS = ["A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F"]
WORDS = [
    "film",
    "story",
    "director",
    "performance",
    "cast",
    "screen",
    "moment",
    "scene",
    "character",
    "drama",
    "comedy",
    "thriller",
    "beautiful",
    "tender",
    "clumsy",
    "sharp",
    "overlong",
    "gripping",
    "hollow",
    "moving",
    "funny",
    "quiet",
    "loud",
    "bright",
    "ambitious",
    "modest",
    "familiar",
    "fresh",
    "strange",
    "patient",
    "frantic",
    "lovely",
    "bitter",
    "warm",
    "cold",
    "clever",
    "script",
    "camera",
    "score",
    "ending",
    "beginning",
    "middle",
    "heart",
    "mind",
    "eye",
    "voice",
    "night",
    "city",
    "sea",
    "road",
]


@dataclass(frozen=True)
class Page:
    """One page of the corpus: where it is served, its body, how many reviews it holds."""

    path: str  # URL path (with query) on the corpus server
    body: str
    layout: str
    reviews: int
    seed: bool = True  # False for pages a crawler reaches by following the first page


def filler(rng: random.Random, size: int) -> str:
    """About `size` characters of page furniture: menus, script data, footers."""
    parts: list[str] = []
    total = 0
    while total < size:
        kind = rng.random()
        if kind < 0.45:
            data = {f"k{i}": [rng.randrange(10**6) for _ in range(8)] for i in range(40)}
            part = f"<script>window.__DATA_{rng.randrange(10**6)}__ = {json.dumps(data)};</script>"
        elif kind < 0.8:
            items = "".join(
                f'<li class="nav-item"><a class="nav-link" href="/browse/{rng.randrange(10**5)}">'
                f"{rng.choice(WORDS).title()} {rng.choice(WORDS)}</a></li>"
                for _ in range(40)
            )
            part = f'<nav class="menu"><ul class="nav">{items}</ul></nav>'
        else:
            text = " ".join(rng.choice(WORDS) for _ in range(300))
            part = f'<footer class="site-footer"><p class="legal">{text}</p></footer>'
        parts.append(part)
        total += len(part)
    return "".join(parts)


def page_size(rng: random.Random) -> int:
    """Log-normal page size: median about 150 KB, within 100-500 KB."""
    return int(min(500_000, max(100_000, rng.lognormvariate(math.log(150_000), 0.35))))


def review_count(rng: random.Random) -> int:
    return int(min(300, max(3, rng.lognormvariate(math.log(20), 0.9))))


def score(rng: random.Random) -> tuple[str | None, float | None]:
    """A score string in the real mix, and its value on 0..1 (None when there is none)."""
    kind = rng.choices([k for k, _ in SCORE_FORMATS], [w for _, w in SCORE_FORMATS])[0]
    if kind == "empty":
        return None, None
    if kind in ("x/5", "x/4", "x/10", "x/100"):
        scale = int(kind[2:])
        step = {5: 0.5, 4: 0.5, 10: 1, 100: 1}[scale]
        value = round(rng.randint(0, int(scale / step)) * step, 1)
        text = f"{value:g}/{scale}"
        return text, value / scale
    if kind == "letter":
        letter = rng.choice(LETTERS)
        points = {"A+": 100, "A": 100, "A-": 91, "B+": 83, "B": 75, "B-": 67, "C+": 58,
                  "C": 50, "C-": 42, "D+": 33, "D": 25, "D-": 16, "F": 0}[letter]  # fmt: skip
        return letter, points / 100
    if kind == "x out of y":
        value = rng.randint(1, 10)
        return f"{value} out of 10", value / 10
    if kind == "stars":
        count = rng.randint(1, 4)
        return "*" * count, count / 4
    if kind == "percent":
        value = rng.randint(20, 100)
        return f"{value}%", value / 100
    value = rng.randint(0, 5)
    return f" {value}/5 ", value / 5


def reviews_for(rng: random.Random, movie: Movie, count: int) -> list[Review]:
    opening = date(movie.year or 2015, rng.randint(1, 12), rng.randint(1, 28))
    critics = rng.sample(range(20_000), count)
    reviews = []
    for critic in critics:
        raw, value = score(rng)
        liked = (value if value is not None else rng.random()) + rng.gauss(0, 0.08) >= 0.6
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40)))
        reviews.append(
            Review(
                critic=f"Critic{critic} Surname{critic % 997}",
                publication=f"Publication {critic % 3000}",
                quote=f"{words.capitalize()} ({movie.title}, review {critic}).",
                review_date=opening + timedelta(days=rng.randint(-20, 400)),
                score=raw,
                fresh=liked,
                top_critic=critic % 10 == 0,
                url=f"https://publication{critic % 3000}.example/reviews/{movie.slug}",
            )
        )
    return reviews


def movie_pages(rng: random.Random, number: int) -> Iterator[Page]:
    """Every page of one movie, in the layout the movie was dealt."""
    slug = f"movie_{number:06d}"
    movie = Movie(
        f"Movie {number:06d}", slug, 1990 + number % 35, f"{number:08x}-0000-4000-8000-000000000000"
    )
    layout = rng.choices(list(LAYOUT_WEIGHTS), list(LAYOUT_WEIGHTS.values()))[0]
    count = review_count(rng)
    if layout == "schema_org":
        count = min(count, 6)  # one page per review on critics' own sites
    reviews = reviews_for(rng, movie, count)
    chunks = [reviews[i : i + REVIEWS_PER_PAGE] for i in range(0, len(reviews), REVIEWS_PER_PAGE)]
    pages = len(chunks)
    for page, chunk in enumerate(chunks, start=1):
        pad = filler(rng, page_size(rng) // 2)
        seed = page == 1
        if layout == "review_table_row":
            body = review_table_row(movie, chunk, page, pages, filler=pad)
            yield Page(f"/m/{slug}/reviews?page={page}", body, layout, len(chunk), seed)
        elif layout == "review_row":
            cursor = "" if page == 1 else f"&page={page}"
            body = review_row(movie, chunk, filler=pad, deprecated=number % 2 == 0)
            yield Page(f"/m/{slug}/reviews?type=critics{cursor}", body, layout, len(chunk))
        elif layout == "legacy_text":
            body = legacy_text(movie, chunk, page, pages)
            yield Page(f"/m/{slug}/reviews/?page={page}&sort=", body, layout, len(chunk), seed)
        elif layout == "rt_api":
            cursor = f"c{page}" if page < pages else None
            after = "" if page == 1 else f"&after=c{page - 1}"
            body = rt_json_feed(movie, chunk, end_cursor=cursor, shape=2024)
            path = f"/cnapi/movie/{movie.ems_id}/reviews/all?type=critic{after}"
            yield Page(path, body, layout, len(chunk), seed)
        elif layout == "rt_movie_page":
            body = rt_movie_page(movie, chunk, filler=pad, bubbles=len(chunk))
            yield Page(
                f"/m/{slug}" + ("" if page == 1 else f"?page={page}"), body, layout, len(chunk)
            )
        else:
            for review in chunk:
                body = schema_org_review(movie, review, filler=pad)
                vanity = review.vanity or "critic"
                yield Page(f"/critics/{vanity}/{slug}.html", body, layout, 1)


def generate(size: str, seed: int = 20261125) -> Iterator[Page]:
    rng = random.Random(seed)
    for number in range(SIZES[size]):
        yield from movie_pages(rng, number)


def write(size: str, directory: Path, base_url: str) -> dict:
    """Write the corpus as files, each with its `.url`; returns counts per layout and the
    seed URLs a crawler starts from."""
    counts: dict = {"pages": 0, "reviews": 0, "bytes": 0, "seeds": []}
    directory.mkdir(parents=True, exist_ok=True)
    for number, page in enumerate(generate(size)):
        if page.seed:
            counts["seeds"].append(base_url + page.path)
        name = directory / f"{number // 1000:03d}" / f"page-{number:07d}.{_suffix(page.layout)}"
        name.parent.mkdir(exist_ok=True)
        data = page.body.encode()
        name.write_bytes(data)
        name.with_suffix(".url").write_text(base_url + page.path + "\n")
        counts["pages"] += 1
        counts["reviews"] += page.reviews
        counts["bytes"] += len(data)
        counts[page.layout] = counts.get(page.layout, 0) + 1
    return counts


def _suffix(layout: str) -> str:
    return {"rt_api": "json", "legacy_text": "txt"}.get(layout, "html")
