from __future__ import annotations

import pytest

from parsers import UnknownLayoutError, detect_layout, parse_page
from tests.conftest import SEED_PAGE


def test_seed_is_detected_as_legacy_text():
    assert detect_layout(SEED_PAGE.read_text()).layout == "legacy_text"


@pytest.mark.parametrize(
    "text",
    ["<html><body><p>Hello</p></body></html>", "just some words", '{"not": "reviews"}'],
)
def test_unknown_pages_raise_with_the_layouts_tried(text: str):
    with pytest.raises(UnknownLayoutError, match="no known layout") as raised:
        parse_page(text, "file:///x")
    assert "legacy_text" in str(raised.value)


def test_a_layout_can_be_forced_and_unknown_names_are_refused():
    assert parse_page(SEED_PAGE.read_text(), "file:///s", layout="legacy_text").reviews
    with pytest.raises(UnknownLayoutError, match="unknown layout"):
        parse_page(SEED_PAGE.read_text(), "file:///s", layout="nope")
