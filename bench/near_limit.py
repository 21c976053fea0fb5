"""Near the limit: the whole job as one hand-written script, for a yardstick.

    python bench/near_limit.py SOURCE... --warehouse FILE [--workers N]

Lists the page files under each SOURCE (files or folders: `.html`, `.htm`, `.txt`, `.json`,
each with its address in the `<name>.url` beside it), reads and parses them (selectolax's
Lexbor DOM for review rows, regexes for JSON-LD and the plain-text pages, `json` for the
review API), builds one Polars frame, normalises it minimally with Polars expressions
(score to 0..1, date to Date, text stripped, one row per review key) and loads it into a
new DuckDB table `reviews` with one Arrow hand-off. Prints how many reviews it loaded.

There is no orchestration, no validation, no raw page store, no incremental state, no
quarantine and no error handling: a page it cannot read stops it. It reads the layouts the
benchmark corpus generates (`bench/corpus.py`): review_table_row, review_row, rt_movie_page,
rt_api, legacy_text and schema_org. Over 500 pages it parses in a pool of one process per
core. The benchmark (`bench/startup.py`) times it against `reviewhouse ingest` on the
same pages: what the stack can do with none of reviewhouse's guarantees.
"""

from __future__ import annotations

import argparse
import html
import json
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb
import polars as pl
from selectolax.lexbor import LexborHTMLParser

SUFFIXES = {".html", ".htm", ".txt", ".json"}
COLUMNS = ["movie", "movie_title", "critic", "publication", "sentiment", "score_raw",
           "date_raw", "quote"]  # fmt: skip
POOL_FROM = 500  # pages; below this a pool costs more than it saves
CHUNK = 100  # pages a worker parses at a time

SLUG = re.compile(r"/m/([\w.\-]+)")
EMS_ID = re.compile(r"/movies?/([0-9a-f-]{36})/")
TITLE = re.compile(r"<title>(.*?)(?: \(\d{4}\))?(?: - Movie Reviews)? [-|] Rotten Tomatoes</title>")
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
SCORE = re.compile(r"Original Score:\s*([^|]+)")
LONG_DATE = re.compile(r"^[A-Z][a-z]+ \d{1,2}, \d{4}$")
ROW = 'div.review-row[data-qa="review-item"]'


def list_pages(sources: list[str]) -> list[Path]:
    files: list[Path] = []
    for source in map(Path, sources):
        found = source.rglob("*") if source.is_dir() else [source]
        files += (path for path in found if path.suffix in SUFFIXES)
    return sorted(files)


def region(text: str, marker: str, margin: int = 8192) -> str:
    """The stretch of a page from the first element marked by `marker` to just past the
    last: the DOM of the reviews alone, not of the hundreds of KB of menus around them."""
    first, last = text.find(marker), text.rfind(marker)
    return text[text.rfind("<", 0, first) : last + margin]


def columns(tree: LexborHTMLParser, rows: str, fields: list[str]) -> list[list]:
    """For each row matching `rows`, the first node of each field's selector inside it.
    One query per field over the whole fragment when every row has each field once (what
    makes selectolax fast), else one per row and field."""
    found = tree.css(rows)
    whole = [tree.css(selector) for selector in fields]
    if all(len(nodes) == len(found) for nodes in whole):
        return [list(row) for row in zip(*whole, strict=True)]
    return [[row.css_first(selector) for selector in fields] for row in found]


def text_of(node) -> str | None:
    return node.text(deep=True, separator=" ") if node is not None else None


def score_in(line: str | None) -> str | None:
    match = SCORE.search(line or "")
    return match[1] if match else None


def table_rows(text: str, movie: str, title: str | None) -> list[tuple]:
    tree = LexborHTMLParser(region(text, '<div class="row review_table_row">'))
    fields = ['a[href*="/critic/"]', "div.critic_name em", "div.review_icon",
              "div.review_date", "div.the_review", "div.review_desc div.subtle"]  # fmt: skip
    return [
        (movie, title, text_of(critic), text_of(paper),
         "fresh" if "fresh" in (icon.attributes.get("class") or "").split() else "rotten",
         score_in(text_of(line)), text_of(day), text_of(quote))
        for critic, paper, icon, day, quote, line in columns(tree, "div.review_table_row", fields)
    ]  # fmt: skip


def review_rows(text: str, movie: str, title: str | None) -> list[tuple]:
    tree = LexborHTMLParser(region(text, 'data-qa="review-item"'))
    fields = ["a.display-name", "a.publication", "score-icon-critic, score-icon-critic-deprecated",
              '[data-qa="review-date"]', "p.review-text", "p.original-score-and-url"]  # fmt: skip
    return [
        (movie, title, text_of(critic), text_of(paper), icon.attributes.get("state"),
         score_in(text_of(line)), text_of(day), text_of(quote))
        for critic, paper, icon, day, quote, line in columns(tree, ROW, fields)
    ]  # fmt: skip


def json_ld(text: str, movie: str, title: str | None) -> list[tuple]:
    """schema.org: one critic's Review, or RT's Movie.review[] with the quote bubbles'
    original scores (keyed by the critic's RT page)."""
    records = []
    for block in JSON_LD.findall(text):
        document = json.loads(block)
        if document.get("@type") == "Review":
            rating = document.get("reviewRating") or {}
            value, best = rating.get("ratingValue"), rating.get("bestRating") or "5"
            records.append(
                (movie, document["itemReviewed"]["name"], document["author"]["name"],
                 document["publisher"]["name"], None, f"{value}/{best}" if value else None,
                 document["datePublished"], document["reviewBody"])
            )  # fmt: skip
            continue
        scores = {}
        if 'data-qa="quote-bubble"' in text:
            tree = LexborHTMLParser(region(text, 'data-qa="quote-bubble"'))
            for bubble in tree.css('li.quote_bubble[data-qa="quote-bubble"]'):
                tooltip = bubble.css_first("span[title]")
                critic = bubble.css_first('a[data-qa="quote-bubble-critic-link"]')
                if tooltip is not None and critic is not None:
                    vanity = critic.attributes["href"].rstrip("/").rsplit("/", 1)[-1]
                    scores[vanity] = score_in(tooltip.attributes["title"])
        for review in document.get("review", []):
            vanity = review["author"]["url"].rstrip("/").rsplit("/", 1)[-1]
            records.append(
                (movie, title or document.get("name"), review["author"]["name"],
                 review["publisher"]["name"],
                 "fresh" if review["reviewRating"]["ratingValue"] > 0 else "rotten",
                 scores.get(vanity), review["dateCreated"], review["reviewBody"])
            )  # fmt: skip
    return records


def api_feed(text: str, movie: str) -> list[tuple]:
    return [
        (movie, None, item["critic"]["displayName"], item["publication"]["name"],
         item["scoreSentiment"], item.get("originalScore"), item["createDate"],
         item["reviewQuote"])
        for item in json.loads(text)["reviews"]
    ]  # fmt: skip


def legacy_text(text: str, movie: str) -> list[tuple]:
    """`<date>` line, quote lines, then `Full Review | Original Score: X` (or no score)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title = lines[0].removesuffix(" - Movie Reviews - Rotten Tomatoes")
    records: list[list] = []
    for line in lines[1:]:
        if LONG_DATE.match(line):
            records.append([movie, title, None, None, None, None, line, ""])
        elif records and line.startswith(("Full Review", "Read More")):
            records[-1][5] = score_in(line)
        elif records and not line.startswith("Page "):
            records[-1][7] = f"{records[-1][7]} {line}"
    return [tuple(record) for record in records]


def parse_file(path: Path) -> list[tuple]:
    text = path.read_bytes().decode("utf-8", errors="replace")
    url = path.with_suffix(".url").read_text().strip()
    slug, ems = SLUG.search(url), EMS_ID.search(url)
    movie = f"slug:{slug[1]}" if slug else f"ems:{ems[1]}" if ems else url
    if text.lstrip().startswith("{"):
        return api_feed(text, movie)
    if not text.lstrip().startswith("<"):
        return legacy_text(text, movie)
    title = TITLE.search(text, 0, 4096)
    title = html.unescape(title[1]) if title else None
    if 'class="row review_table_row"' in text:
        return table_rows(text, movie, title)
    if 'data-qa="review-item"' in text:
        return review_rows(text, movie, title)
    return json_ld(text, movie, title)


def parse_chunk(paths: list[Path]) -> pl.DataFrame:
    rows = [row for path in paths for row in parse_file(path)]
    return pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String), orient="row")


def parse_all(paths: list[Path], workers: int, pool_from: int = POOL_FROM) -> pl.DataFrame:
    if len(paths) < pool_from or workers < 2:
        return parse_chunk(paths)
    chunks = [paths[start : start + CHUNK] for start in range(0, len(paths), CHUNK)]
    # spawn, not fork: forking a process that has loaded Polars can deadlock the child
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return pl.concat(pool.map(parse_chunk, chunks))


LETTERS = {"A+": 1.0, "A": 1.0, "A-": 0.91, "B+": 0.83, "B": 0.75, "B-": 0.67, "C+": 0.58,
           "C": 0.5, "C-": 0.42, "D+": 0.33, "D": 0.25, "D-": 0.16, "F": 0.0}  # fmt: skip


def normalise(raw: pl.DataFrame) -> pl.DataFrame:
    """Text stripped, the score on 0..1 (fractions, letter grades, stars, percents), the
    date a Date, fresh a boolean; one row per movie, critic, publication and quote."""
    score, day = pl.col("score_raw"), pl.col("date_raw")
    fraction = score.str.extract_groups(r"^(\d+(?:\.\d+)?)\s*(?:/|out of)\s*(\d+(?:\.\d+)?)$")
    value = fraction.struct[0].cast(pl.Float64) / fraction.struct[1].cast(pl.Float64)
    return (
        raw.with_columns(pl.col(pl.String).str.strip_chars())
        .with_columns(
            pl.coalesce(
                pl.when(value <= 1).then(value),
                score.str.to_uppercase().replace_strict(LETTERS, default=None),
                pl.when(score.str.contains(r"^\*{1,4}$")).then(score.str.len_chars() / 4),
                score.str.extract(r"^(\d+(?:\.\d+)?)%$").cast(pl.Float64) / 100,
            ).alias("score"),
            pl.coalesce(
                day.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
                day.str.to_date("%B %d, %Y", strict=False),
                day.str.to_date("%b %d, %Y", strict=False),
            ).alias("review_date"),
            pl.col("sentiment").str.to_lowercase().is_in(["fresh", "positive"]).alias("is_fresh"),
            pl.col("critic").str.to_lowercase().alias("key"),
        )
        .unique(["movie", "key", "publication", "quote"], keep="first", maintain_order=True)
        .drop("key", "sentiment")
    )


def load(frame: pl.DataFrame, warehouse: Path) -> int:
    arrow = frame.to_arrow()  # noqa: F841 - read by name by DuckDB's replacement scan
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE OR REPLACE TABLE reviews AS SELECT * FROM arrow")
        return con.execute("SELECT count(*) FROM reviews").fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("sources", nargs="+")
    arguments.add_argument("--warehouse", type=Path, required=True)
    arguments.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    options = arguments.parse_args(argv)
    paths = list_pages(options.sources)
    loaded = load(normalise(parse_all(paths, options.workers)), options.warehouse)
    print(f"loaded {loaded} reviews from {len(paths)} pages into {options.warehouse}")
    return loaded


if __name__ == "__main__":
    main()
