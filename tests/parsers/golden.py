"""Golden files for the parsers: `cases/<layout>/<case>.<ext>` beside `<case>.expected.json`.

`python -m tests.parsers.golden` writes missing expected files from today's parsers, for a
human to check field by field before committing; tests never rewrite them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from parsers import decode_body, parse_page
from parsers.records import REVIEW_COLUMNS

CASES = Path(__file__).parent / "cases"
PAGE_SUFFIXES = {".txt", ".html", ".htm", ".json"}


def case_files() -> list[Path]:
    return sorted(
        path
        for path in CASES.glob("*/*")
        if path.suffix in PAGE_SUFFIXES and not path.name.endswith(".expected.json")
    )


def case_url(page: Path) -> str:
    """The URL a case was served from: `<case>.url` beside it, else a file URL."""
    url_file = page.with_suffix(".url")
    return url_file.read_text().strip() if url_file.exists() else f"file:///cases/{page.name}"


def expected_path(page: Path) -> Path:
    return page.with_name(page.stem + ".expected.json")


def parse_case(page: Path) -> dict:
    parsed = parse_page(decode_body(page.read_bytes()), case_url(page))
    return {
        "layout": parsed.layout,
        "page_number": parsed.page_number,
        "page_count": parsed.page_count,
        "next_urls": list(parsed.next_urls),
        "reviews": [
            {name: review.get(name) for name in REVIEW_COLUMNS} for review in parsed.reviews
        ],
    }


def main() -> int:
    for page in case_files():
        target = expected_path(page)
        if target.exists():
            continue
        target.write_text(json.dumps(parse_case(page), indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {target} - check it by hand before committing", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
