"""Every golden case parses to exactly its expected JSON: every field of every review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.parsers.golden import case_files, expected_path, parse_case

CASES = case_files()


def test_every_case_has_an_expected_file():
    missing = [page.name for page in CASES if not expected_path(page).exists()]
    assert CASES, "no golden cases found"
    assert not missing, f"run `python -m tests.parsers.golden` and check: {missing}"


@pytest.mark.parametrize("page", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_golden_case(page: Path):
    expected = json.loads(expected_path(page).read_text(encoding="utf-8"))
    assert parse_case(page) == expected


def test_every_layout_has_a_golden_case():
    from parsers import PARSERS

    layouts_with_cases = {page.parent.name for page in CASES}
    assert {parser.layout for parser in PARSERS} <= layouts_with_cases
