"""Writes this folder's RT API pages from real 2023 rows of the corpus.

`python -m tests.parsers.cases.rt_api.render_pages ../shared/corpus/real` rewrites the pages
(`*.json`, `*.url`); their expected files are checked by hand, never written here.

Real (from the corpus CSVs): critic names, publications, original scores, fresh/rotten and
quotes. Made up, as no real API answer of this era was saved: review ids, emsIds, cursors,
timestamps (Fast X's scrape kept none; Luther's keep the scrape's days), full-review URLs,
and the top-critic flags (the scrapes kept none); emsIds and top critics match the same
titles' card pages in `../rt_review_card`.
Quotes are entity-encoded (`&amp;`, `&#39;`, `&quot;`) as the API may send them.
"""

from __future__ import annotations

import base64
import json
import sys
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from parsers.urls import with_query

HERE = Path(__file__).parent
RT = "https://www.rottentomatoes.com"
QUERY = "pageCount=20&topOnly=false&type=critic&verified=false"
FAST_X_EMS = "8c3b4a02-6f3f-3b8e-9c39-1f8e2d5ad6a1"
LUTHER_EMS = "5d1f7c36-2b9a-3e0d-a4c4-7e2b9f1d3c58"
# The same titles' card pages (../rt_review_card) use these emsIds and top-critic flags.
TOP_CRITICS = {
    "Tom Shone",
    "Kristy Puchko",
    "James Berardinelli",
    "Miles Surrey",
    "Jeffrey M. Anderson",
    "Piers Marchant",
    "Brian Viner",
    "Chris Vognar",
}
TOP_PUBLICATION_ONLY = {"James Marsh"}  # a top publication, not a top critic


def entities(quote: str) -> str:
    return quote.replace("&", "&amp;").replace("'", "&#39;").replace('"', "&quot;")


def vanity(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "-".join("".join(c for c in word if c.isalnum()) for word in ascii_name.lower().split())


def item(
    review_id: int,
    critic: str,
    publication: str,
    score: str | None,
    fresh: bool,
    quote: str,
    created: datetime,
    url: str,
) -> dict:
    top = critic in TOP_CRITICS
    return {
        "reviewId": str(review_id),
        "scoreSentiment": "POSITIVE" if fresh else "NEGATIVE",
        "originalScore": score.strip() if score and score.strip() else None,
        "isTopReview": False,
        "publicationReviewUrl": url,
        "createDate": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "reviewQuote": entities(quote),
        "critic": {
            "displayName": critic,
            "vanity": vanity(critic),
            "isTopCritic": top,
            "rottenTomatoesUrl": f"{RT}/critic/{vanity(critic)}",
            "tomatometerApproved": True,
        },
        "publication": {
            "name": publication,
            "isTopPublication": top or critic in TOP_PUBLICATION_ONLY,
        },
    }


def cursor(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode()


def page(items: list[dict], start: int, has_next: bool) -> str:
    info = {
        "hasNextPage": has_next,
        "endCursor": cursor(start + len(items)) if items else None,
        "startCursor": cursor(start + 1) if items else None,
        "hasPreviousPage": start > 0,
    }
    return json.dumps({"reviews": items, "pageInfo": info}, ensure_ascii=False, indent=1) + "\n"


def write(name: str, text: str, url: str) -> None:
    (HERE / f"{name}.json").write_text(text, encoding="utf-8")
    (HERE / f"{name}.url").write_text(url + "\n")


def main(corpus: Path) -> int:
    fast_x = pl.read_csv(corpus / "rt_fastx_critic_reviews_2023.csv", null_values=["NA"]).head(47)
    newest = datetime(2023, 5, 25, 22, 10, tzinfo=UTC)
    items = [
        item(
            2_901_480 - 13 * number,
            row["reviewer"],
            row["publication"],
            row["score"],
            row["fresh_rotten"] == "fresh",
            row["review_text"],
            newest - timedelta(hours=3, minutes=17) * number,
            f"https://example.org/fast-x/{vanity(row['reviewer'])}",
        )
        for number, row in enumerate(fast_x.iter_rows(named=True))
    ]
    url = f"{RT}/napi/rtcf/v1/movies/{FAST_X_EMS}/reviews?{QUERY}"
    for number, start in enumerate((0, 20, 40), start=1):
        chunk = items[start : start + 20]
        write(f"fast_x_p{number}", page(chunk, start, start + 20 < len(items)), url)
        url = with_query(url, after=cursor(start + len(chunk)))

    luther = pl.read_csv(corpus / "rt_scraped_critic_reviews_2023_lzwxxx.csv").filter(
        pl.col("movie_title") == "Luther: The Fallen Sun"
    )
    season = [
        item(
            2_874_205 - 29 * number,
            row["critic_name"],
            row["publisher_name"],
            row["review_score"],
            row["review_type"] == "fresh",
            row["review_content"],
            datetime.strptime(row["review_date"], "%b %d, %Y").replace(hour=16, tzinfo=UTC)
            + timedelta(minutes=41 - 7 * number),
            f"https://example.org/luther/{vanity(row['critic_name'])}",
        )
        for number, row in enumerate(luther.iter_rows(named=True))
    ]
    write(
        "luther_tv_season",
        page(season, 0, has_next=False),
        f"{RT}/napi/rtcf/v1/tv/seasons/{LUTHER_EMS}/reviews?{QUERY}",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
