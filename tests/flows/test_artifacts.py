"""The run's Markdown artifact: values from pages and servers come out as inert text.

Checked by rendering with a CommonMark parser (markdown-it, GFM tables on, raw HTML and
links of any scheme allowed, as the most permissive renderer would): no link, image or HTML
survives, every table row keeps its columns, and the text reads as the value did.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from flows.artifacts import MAX_VALUE_CHARS, md_text, run_markdown
from flows.runs import RunRecord

HOSTILE_CONTENT_TYPE = (
    "image/png | ![pix](http://evil.example/p.png) <img src=x onerror=alert(1)> "
    "[x](javascript:alert(1)) `code` **bold** _em_ <script>alert(1)</script>"
)

markdown = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
markdown.validateLink = lambda url: True  # javascript: and file: links too: none must form


def rendered_text(value: str) -> str:
    """What a reader sees of `value` written inline."""
    out = markdown.renderInline(value)
    return html.unescape(out)


def tokens(document: str) -> list[Token]:
    flat = []
    for token in markdown.parse(document):
        flat.append(token)
        flat.extend(token.children or [])
    return flat


def a_run(**changes: object) -> RunRecord:
    run = RunRecord(run_id="20260101T000000Z-abcdef12", started_at=datetime(2026, 1, 1, tzinfo=UTC))
    run.status = "failed"
    run.stage_seconds = {"fetch": 1.5, "parse": 2.25}
    for name, value in changes.items():
        setattr(run, name, value)
    return run


def table_rows(document: str) -> list[list[str]]:
    """Every table row, as the cells a GFM renderer finds in it."""
    rows, cells = [], None
    for token in tokens(document):
        if token.type == "tr_open":
            cells = []
        elif token.type in ("th_open", "td_open"):
            cells.append("")
        elif token.type == "inline" and cells is not None and cells:
            cells[-1] = token.content
        elif token.type == "tr_close":
            rows.append(cells)
            cells = None
    return rows


def test_hostile_values_come_out_inert_and_the_tables_keep_their_columns():
    hostile = HOSTILE_CONTENT_TYPE + "\nsecond line\r\nthird | line"
    document = run_markdown(
        a_run(
            error_summary=hostile,
            warnings={hostile: 3},
            report_path="/tmp/reports (copy)/](javascript:x)/index.html",
        ),
        top_reasons=[(f"fetch: unexpected content type {hostile}", 7), ("parse: no quote", 2)],
    )
    found = [token.type for token in tokens(document)]
    assert not set(found) & {"html_inline", "html_block", "image", "code_inline", "em_open"}
    assert "s_open" not in found
    assert found.count("strong_open") == 1  # "Load stopped", ours
    links = [token for token in tokens(document) if token.type == "link_open"]
    assert [link.attrs["href"] for link in links] == [
        "file:///tmp/reports%20%28copy%29/%5D%28javascript%3Ax%29/index.html"
    ]  # the report's link only
    assert "<img" not in document
    assert "](" not in document.replace("](file:", "")
    (reason_line,) = [line for line in document.splitlines() if "content type" in line]
    assert len(re.findall(r"(?<!\\)\|", reason_line)) == 3  # the row's own, no more
    rows = table_rows(document)
    assert len(rows) == (1 + 9) + (1 + 2) + (1 + 2)  # the three tables: headers and rows
    assert {len(row) for row in rows} == {2}
    (reason_row,) = [row for row in rows if "unexpected content type" in row[0]]
    assert reason_row[1] == "7"
    # one line each: the reason, the warning, the stopped load
    assert len([line for line in document.splitlines() if "second line" in line]) == 3


def test_a_value_reads_as_it_was():
    assert rendered_text(md_text(HOSTILE_CONTENT_TYPE)) == HOSTILE_CONTENT_TYPE
    assert rendered_text(md_text("- 1. # > quote")) == "- 1. # > quote"
    assert rendered_text(md_text("3. third")) == "3. third"


def test_long_values_are_capped_with_their_length_said():
    value = "q" * 1_000_000
    capped = md_text(value)
    assert capped == "q" * MAX_VALUE_CHARS + "… (1000000 chars)"
    assert md_text("q" * MAX_VALUE_CHARS) == "q" * MAX_VALUE_CHARS  # at the cap: whole


def test_every_kind_of_line_break_becomes_a_space():
    assert md_text("a\nb\r\nc\rd\u2028e\u2029f\x85g\x0bh\x0ci\tj\x00k") == "a b c d e f g h i j k"


@given(st.text(max_size=300))
def test_any_text_is_one_inert_line_that_reads_as_the_value(value):
    written = md_text(value)
    assert "\n" not in written
    assert "\r" not in written
    expected = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+", " ", value).strip()
    if len(expected) > MAX_VALUE_CHARS:
        expected = expected[:MAX_VALUE_CHARS]
        written = written.rsplit("… (", 1)[0]
    row = f"| {written} | 1 |"
    document = f"| a | b |\n|---|---:|\n{row}\n"
    kinds = {token.type for token in tokens(document)}
    assert not kinds & {"html_inline", "link_open", "image", "code_inline"}
    (_header, cells) = table_rows(document)
    assert len(cells) == 2
    assert rendered_text(written) == expected
