"""The usual way to write this job, for comparison: one page at a time with requests,
BeautifulSoup, pandas with `.apply`, and a DuckDB INSERT per row.

Written the way a careful but conventional script would be, producing the same reviews as
reviewhouse for the formats in the benchmark corpus, so that the two can be compared row
for row.

As a command it reads saved page files instead of fetching (each with its address in the
`<name>.url` beside it), the rest unchanged, and prints its counts and the seconds its work
took after its imports, as JSON:

    python -m bench.baseline FOLDER --warehouse FILE
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import re
import time
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import requests
from bs4 import BeautifulSoup

LETTERS = {"A+": 100, "A": 100, "A-": 91, "B+": 83, "B": 75, "B-": 67, "C+": 58, "C": 50,
           "C-": 42, "D+": 33, "D": 25, "D-": 16, "F": 0}  # fmt: skip
DATE_FORMATS = ["%B %d, %Y", "%b %d, %Y", "%Y-%m-%d"]


def fetch(urls: list[str]) -> list[tuple[str, str]]:
    """One request after another."""
    pages = []
    for url in urls:
        response = requests.get(url, timeout=30)
        response.raise_for_status()
        pages.append((url, response.text))
    return pages


def parse(url: str, text: str) -> list[dict]:
    """Records from one page, with BeautifulSoup's own parser."""
    slug = re.search(r"/m/([\w.\-]+)", url)
    movie = {"movie_slug": slug.group(1).lower() if slug else None}
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return [{**movie, **record} for record in _feed(json.loads(text), url)]
    if "- Movie Reviews - Rotten Tomatoes" in text[:300] and not stripped.startswith("<"):
        return [{**movie, **record} for record in _legacy(text)]
    soup = BeautifulSoup(text, "html.parser")
    title = soup.title.get_text().strip() if soup.title else ""
    title = re.sub(r"\s*[-|]\s*(Movie Reviews\s*[-|]\s*)?Rotten Tomatoes$", "", title)
    title = re.sub(r"\s*\(\d{4}\)$", "", title)
    records: list[dict] = []
    for row in soup.select("div.review_table_row"):
        icon = row.select_one("div.review_icon")
        line = row.select_one("div.review_desc div.subtle").get_text(" ", strip=True)
        score = re.search(r"Original Score:\s*(.+)$", line)
        critic = row.select_one('a[href*="/critic/"]')
        records.append(
            {
                "movie_title": title,
                "critic_name": critic.get_text(strip=True) if critic else None,
                "publication": row.select_one("div.critic_name em").get_text(strip=True),
                "sentiment": "fresh" if "fresh" in icon["class"] else "rotten",
                "score_raw": score.group(1).strip() if score else None,
                "date_raw": row.select_one("div.review_date").get_text(strip=True),
                "quote_raw": row.select_one("div.the_review").get_text(strip=True),
            }
        )
    for row in soup.select('div.review-row[data-qa="review-item"]'):
        icon = row.select_one("score-icon-critic, score-icon-critic-deprecated")
        line = row.select_one("p.original-score-and-url").get_text(" ", strip=True)
        score = re.search(r"Original Score:\s*([^|]+)", line)
        records.append(
            {
                "movie_title": title,
                "critic_name": row.select_one("a.display-name").get_text(strip=True),
                "publication": row.select_one("a.publication").get_text(strip=True),
                "sentiment": icon.get("state"),
                "score_raw": score.group(1).strip() if score else None,
                "date_raw": row.select_one('[data-qa="review-date"]').get_text(strip=True),
                "quote_raw": row.select_one("p.review-text").get_text(strip=True),
            }
        )
    for script in soup.find_all("script", type="application/ld+json"):
        records += _json_ld(json.loads(script.string), soup, title)
    return [{**movie, **record} for record in records]


def _legacy(text: str) -> list[dict]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title = lines[0].replace(" - Movie Reviews - Rotten Tomatoes", "")
    records: list[dict] = []
    for line in lines:
        if re.match(r"^[A-Z][a-z]+ \d{1,2}, \d{4}$", line):
            records.append({"movie_title": title, "date_raw": line, "quote_raw": ""})
        elif line.startswith(("Full Review", "Read More")) and records:
            score = re.search(r"Original Score:\s*(.+)$", line)
            records[-1]["score_raw"] = score.group(1).strip() if score else None
        elif records and not line.startswith("Page "):
            records[-1]["quote_raw"] = (records[-1]["quote_raw"] + " " + line).strip()
    return records


def _released(movie: dict) -> int | None:
    published = movie.get("datePublished")
    return int(str(published)[:4]) if published else None


def _feed(payload: dict, url: str) -> list[dict]:
    ems = re.search(r"/movie/([0-9a-f-]+)/", url)
    return [
        {
            "movie_ref": f"rt-ems:{ems.group(1)}" if ems else None,
            "critic_name": item["critic"]["displayName"],
            "publication": item["publication"]["name"],
            "sentiment": item["scoreSentiment"],
            "score_raw": item.get("originalScore"),
            "date_raw": item["createDate"],
            "quote_raw": item["reviewQuote"],
            # today's review API: reviewhouse keys its reviews without the date
            "undated_key": "reviewId" in item,
        }
        for item in payload["reviews"]
    ]


def _json_ld(document: dict, soup: BeautifulSoup, title: str) -> list[dict]:
    if document.get("@type") == "Review":
        rating = document.get("reviewRating") or {}
        value, best = rating.get("ratingValue"), rating.get("bestRating") or "5"
        return [
            {
                "movie_title": document["itemReviewed"]["name"],
                "movie_year": _released(document["itemReviewed"]),
                "critic_name": document["author"]["name"],
                "publication": document["publisher"]["name"],
                "score_raw": f"{value}/{best}" if value else None,
                "date_raw": document["datePublished"],
                "quote_raw": document["reviewBody"],
            }
        ]
    scores = {}
    for bubble in soup.select('li.quote_bubble[data-qa="quote-bubble"]'):
        tooltip = bubble.select_one("span[title]")
        critic = bubble.select_one('a[data-qa="quote-bubble-critic-link"]')["href"].rstrip("/")
        if tooltip:
            score = tooltip["title"].replace("Original Score:", "").strip()
            scores[critic.rsplit("/", 1)[-1]] = score
    return [
        {
            "movie_title": title,
            "critic_name": review["author"]["name"],
            "publication": review["publisher"]["name"],
            "sentiment": "fresh" if review["reviewRating"]["ratingValue"] > 0 else "rotten",
            "score_raw": scores.get(review["author"]["url"].rstrip("/").rsplit("/", 1)[-1]),
            "date_raw": review["dateCreated"],
            "quote_raw": review["reviewBody"],
        }
        for review in document.get("review", [])
    ]


def normalize_score(raw: str | None) -> float | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip()
    if text.upper() in LETTERS:
        return LETTERS[text.upper()] / 100
    match = re.match(r"^(\d+(?:\.\d+)?)\s*(?:/|out of)\s*(\d+(?:\.\d+)?)$", text)
    if match:
        value, scale = float(match.group(1)), float(match.group(2))
        return value / scale if 0 <= value <= scale and scale else None
    if re.match(r"^\*+$", text):
        return len(text) / 4 if len(text) <= 4 else len(text) / 5
    if text.endswith("%"):
        return float(text[:-1]) / 100
    return None


def parse_date(raw: str | None) -> date | None:
    if not isinstance(raw, str) or not raw:
        return None
    text = raw.strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}", text):
        text = text[:10]
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def clean(text: str | None) -> str | None:
    if not isinstance(text, str):
        return None
    cleaned = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", text))).strip()
    return cleaned or None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _year(row: pd.Series) -> str:
    year = row.get("movie_year")
    return f":{int(year)}" if isinstance(year, int | float) and year == year else ""


def review_id(row: pd.Series) -> str:
    movie = (
        f"slug:{_text(row['movie_slug'])}"
        if _text(row["movie_slug"])
        else f"title:{_text(row['movie_title']).lower()}{_year(row)}"
        if _text(row["movie_title"])
        else _text(row["movie_ref"])
    )
    critic, publication = _text(row["critic_name"]).lower(), _text(row["publication"]).lower()
    who = f"critic:{critic}" if critic else f"publication:{publication}" if publication else ""
    day = (
        ""
        if row.get("undated_key") is True
        else row["review_date"].isoformat()
        if isinstance(row["review_date"], date)
        else _text(row["date_raw"])
    )
    quote = re.sub(r"[^\w]|_", "", _text(row["quote"]).lower())[:120]
    return hashlib.md5(f"{movie}|{who}|{day}|{quote}".encode()).hexdigest()[:16]


def transform(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(records)
    for column in ("movie_slug", "movie_title", "movie_year", "movie_ref", "critic_name",
                   "publication", "sentiment", "score_raw", "date_raw", "quote_raw"):  # fmt: skip
        if column not in frame:
            frame[column] = None
    frame = frame.astype(object).where(frame.notna(), None)
    frame["quote"] = frame["quote_raw"].apply(clean)
    frame["critic_name"] = frame["critic_name"].apply(clean)
    frame["publication"] = frame["publication"].apply(clean)
    frame["score_normalized"] = frame["score_raw"].apply(normalize_score)
    frame["review_date"] = frame["date_raw"].apply(parse_date)
    frame["is_fresh"] = frame["sentiment"].apply(
        lambda s: s.lower() in ("fresh", "positive") if isinstance(s, str) else None
    )
    frame["review_id"] = frame.apply(review_id, axis=1)
    return frame.drop_duplicates("review_id")


def load(frame: pd.DataFrame, warehouse: str) -> int:
    con = duckdb.connect(warehouse)
    con.execute(
        "CREATE TABLE IF NOT EXISTS reviews (review_id VARCHAR, movie_title VARCHAR, "
        "critic_name VARCHAR, publication VARCHAR, review_date DATE, score_raw VARCHAR, "
        "score_normalized DOUBLE, is_fresh BOOLEAN, quote VARCHAR)"
    )
    columns = ["review_id", "movie_title", "critic_name", "publication", "review_date",
               "score_raw", "score_normalized", "is_fresh", "quote"]  # fmt: skip
    for row in frame[columns].itertuples(index=False):
        con.execute("INSERT INTO reviews VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", list(row))
    con.close()
    return len(frame)


def read_files(folder: Path) -> list[tuple[str, str]]:
    """(address, text) of every saved page under `folder`, one file after another."""
    return [
        (path.with_suffix(".url").read_text().strip(), path.read_text(encoding="utf-8"))
        for path in sorted(folder.rglob("*"))
        if path.suffix in (".html", ".htm", ".txt", ".json")
    ]


def main(argv: list[str] | None = None) -> None:
    arguments = argparse.ArgumentParser(prog="python -m bench.baseline")
    arguments.add_argument("folder", type=Path)
    arguments.add_argument("--warehouse", required=True)
    options = arguments.parse_args(argv)
    started = time.perf_counter()
    pages = read_files(options.folder)
    records = [record for url, text in pages for record in parse(url, text)]
    loaded = load(transform(records), options.warehouse)
    seconds = time.perf_counter() - started
    print(json.dumps({"pages": len(pages), "reviews": loaded, "work_s": seconds}))


if __name__ == "__main__":
    main()
