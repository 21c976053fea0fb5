"""The run's validation report, opened in a real headless Chromium with no network."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

from selectolax.lexbor import LexborHTMLParser

from expectations.validate import validate_batch
from flows import stages
from tests.conftest import DEMO_PAGES
from tests.helpers import reviews_from

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Debian's chromium package is needed (apt-get install chromium; .ci/run does)"
    return found


def rendered_dom(url: str, profile) -> LexborHTMLParser:
    result = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return LexborHTMLParser(result.stdout)


def test_data_docs_show_the_runs_suites_in_a_browser(tmp_path):
    reviews = reviews_from(DEMO_PAGES / "the_quiet_orchard_2008.txt")
    dims = stages.dimensions(reviews)
    report = validate_batch(
        run_id="run-in-chromium",
        reviews=reviews,
        movies=dims["movies"],
        critics=dims["critics"],
        publications=dims["publications"],
        pages_parsed=1,
        warehouse_counts=None,
        reports_dir=tmp_path / "reports",
        today=date(2026, 11, 25),
    )
    assert report.docs_index is not None
    html = report.docs_index.read_text()
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert all("greatexpectations.io" in link for link in external), external  # plain links only

    dom = rendered_dom(report.docs_index.as_uri(), tmp_path / "profile")
    cells = [cell.text(strip=True) for cell in dom.css("table tbody td")]
    assert "run-in-chromium" in " ".join(cells), "the table was not rendered by its scripts"
    for suite in ("reviews", "reviews_batch", "movies", "critics", "publications"):
        assert suite in cells, f"suite {suite} not shown"

    (page,) = (tmp_path / "reports" / "data_docs" / "validations" / "reviews").rglob("*.html")
    details = rendered_dom(page.as_uri(), tmp_path / "profile").text()
    assert "Unsuccessful Expectations" in details
    assert "review_date" in details
    assert "score_status" in details
