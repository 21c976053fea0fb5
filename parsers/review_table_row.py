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
from parsers.html import attribute, node_text, page_movie, parse_html, region, search_near
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
        reviews = [_row(row, url) for row in tree.css("div.review_table_row")]
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


def _row(row: LexborNode, page_url: str) -> RawReview:
    critic = row.css_first('a[href*="/critic/"]')
    icon_classes = (attribute(row.css_first("div.review_icon"), "class") or "").split()
    link_line = row.css_first("div.review-link") or row.css_first("div.review_desc div.subtle")
    link_text = node_text(link_line) or ""
    score = _SCORE.search(link_text)
    return RawReview(
        critic_name=node_text(critic),
        critic_url=absolute(page_url, attribute(critic, "href")),
        publication=node_text(row.css_first("div.critic_name em")),
        is_top_critic="top critic" in (node_text(row.css_first("div.top_critic")) or "").lower(),
        sentiment=next((word for word in ("fresh", "rotten") if word in icon_classes), None),
        score_raw=score.group(1).strip() if score else None,
        date_raw=node_text(row.css_first("div.review_date") or row.css_first("div.review-date")),
        quote_raw=node_text(row.css_first("div.the_review")),
        review_url=absolute(
            page_url, attribute(link_line.css_first("a") if link_line else None, "href")
        ),
    )


def _page_info(text: str) -> tuple[int | None, int | None]:
    match = search_near(_PAGE_INFO, text, "pageInfo", 0, 200)
    return (int(match[1]), int(match[2])) if match else (None, None)
