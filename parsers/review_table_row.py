"""Rotten Tomatoes reviews pages of about 2015-2020: Bootstrap rows, `div.review_table_row`.

Selectors follow the scrapers of the time; grid classes changed over the years, so rows are
matched on single classes (`critic_name`, `the_review`), never on column widths.
"""

from __future__ import annotations

import html
import re
from typing import ClassVar

from selectolax.lexbor import LexborNode

from parsers.base import ParsedPage, ParseError
from parsers.html import (
    attribute,
    first_in_rows,
    node_text,
    page_movie,
    parse_html,
    region,
    search_near,
)
from parsers.records import RawReview
from parsers.urls import absolute, movie_slug, sibling_pages

_PAGE_INFO = re.compile(r"Page\s+(\d+)\s+of\s+(\d+)", re.IGNORECASE)
_SCORE = re.compile(r"Original Score:\s*(.+)$", re.IGNORECASE)
_NEXT_BUTTON = re.compile(
    r"<a[^>]+class=\"[^\"]*prev-next-paging__button-right[^\"]*\"[^>]*href=\"([^\"]+)\"", re.I
)


class ReviewTableRowParser:
    layout: ClassVar[str] = "review_table_row"

    def looks_like(self, text: str) -> bool:
        return "review_table_row" in text

    def links(self, text: str, url: str) -> tuple[str, ...]:
        page = search_near(_PAGE_INFO, text, "pageInfo", 0, 200)
        siblings = sibling_pages(url, int(page[1]), int(page[2])) if page else ()
        button = search_near(_NEXT_BUTTON, text, "prev-next-paging__button-right", 400, 400)
        next_link = absolute(url, html.unescape(button[1])) if button else None
        return siblings + ((next_link,) if next_link and next_link not in siblings else ())

    def parse(self, text: str, url: str) -> ParsedPage:
        tree = parse_html(region(text, "review_table_row"))
        title, year = page_movie(text)
        slug = movie_slug(url)
        rows = tree.css("div.review_table_row")
        reviews = [_review(fields, url) for fields in first_in_rows(tree, rows, _FIELDS)]
        if not reviews:
            raise ParseError("no div.review_table_row rows on the page", layout=self.layout)
        for review in reviews:
            review.update(movie_title=title, movie_year=year, movie_slug=slug)
        page_number, page_count = _page_info(text)
        next_link = absolute(
            url, attribute(tree.css_first("a.prev-next-paging__button-right"), "href")
        )
        next_urls = sibling_pages(url, page_number, page_count)
        if next_link and next_link not in next_urls:
            next_urls = (*next_urls, next_link)
        return ParsedPage(
            layout=self.layout,
            reviews=reviews,
            page_number=page_number,
            page_count=page_count,
            next_urls=next_urls,
        )


# What each review row holds; the link line moved between two places over the years.
_FIELDS: dict[str, str] = {
    "critic": 'a[href*="/critic/"]',
    "icon": "div.review_icon",
    "link_line": "div.review-link",
    "link_line_link": "div.review-link a",
    "old_link_line": "div.review_desc div.subtle",
    "old_link_line_link": "div.review_desc div.subtle a",
    "publication": "div.critic_name em",
    "top_critic": "div.top_critic",
    "date": "div.review_date",
    "old_date": "div.review-date",
    "quote": "div.the_review",
}


def _review(row: dict[str, LexborNode], page_url: str) -> RawReview:
    critic = row.get("critic")
    icon_classes = (attribute(row.get("icon"), "class") or "").split()
    old = "link_line" not in row
    link_line = row.get("old_link_line" if old else "link_line")
    link = row.get("old_link_line_link" if old else "link_line_link")
    score = _SCORE.search(node_text(link_line) or "")
    return RawReview(
        critic_name=node_text(critic),
        critic_url=absolute(page_url, attribute(critic, "href")),
        publication=node_text(row.get("publication")),
        is_top_critic="top critic" in (node_text(row.get("top_critic")) or "").lower(),
        sentiment=next((word for word in ("fresh", "rotten") if word in icon_classes), None),
        score_raw=score.group(1).strip() if score else None,
        date_raw=node_text(row.get("date") or row.get("old_date")),
        quote_raw=node_text(row.get("quote")),
        review_url=absolute(page_url, attribute(link, "href")),
    )


def _page_info(text: str) -> tuple[int | None, int | None]:
    match = search_near(_PAGE_INFO, text, "pageInfo", 0, 200)
    return (int(match[1]), int(match[2])) if match else (None, None)
