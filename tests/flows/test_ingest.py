"""The real ingest flow, on Prefect's test harness, into real DuckDB files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flows.ingest import ingest_reviews
from flows.options import IngestOptions
from flows.runs import RunRecord
from tests.conftest import ROOT, SEED_PAGE
from tests.helpers import table
from warehouse.publish import reading

pytestmark = pytest.mark.usefixtures("prefect_harness")


def ingest(sources: list, warehouse: Path, **options) -> RunRecord:
    state = ingest_reviews(
        sources=[str(s) for s in sources],
        options=IngestOptions(warehouse=str(warehouse), **options),
        return_state=True,
    )
    run = state.result(raise_on_failure=False)
    assert isinstance(run, RunRecord), run
    return run


def reviews(warehouse: Path) -> list[tuple]:
    with reading(warehouse) as con:
        return table(con, "SELECT * EXCLUDE (first_run_id, last_run_id) FROM reviews ORDER BY ALL")


def test_seed_page_end_to_end(warehouse_path):
    run = ingest([SEED_PAGE], warehouse_path)
    assert run.status == "completed"
    assert (run.pages_read, run.reviews_loaded, run.reviews_new) == (1, 20, 20)
    with reading(warehouse_path) as con:
        rows = table(
            con,
            "SELECT strftime(review_date, '%Y-%m-%d'), score_raw, score_normalized, is_fresh "
            "FROM reviews WHERE movie_title = 'Backstage'",
        )
        assert table(con, "SELECT status, reviews_loaded FROM etl_runs") == [("completed", 20)]
    assert len(rows) == 20
    assert sum(1 for row in rows if row[2] is not None) == 14
    assert ("2007-01-11", "C", 0.5, None) in rows
    assert ("2006-11-23", "3.5/5", 0.7, None) in rows


def test_ingesting_twice_leaves_the_reviews_identical(pages_dir, warehouse_path):
    first = ingest([pages_dir], warehouse_path)
    before = reviews(warehouse_path)
    second = ingest([pages_dir], warehouse_path)
    assert reviews(warehouse_path) == before
    assert second.reviews_new == second.reviews_updated == 0
    assert second.pages_skipped == first.pages_read == 9  # unchanged files are not re-read
    forced = ingest([pages_dir], warehouse_path, force=True)
    assert reviews(warehouse_path) == before
    assert (forced.reviews_new, forced.reviews_updated) == (0, 0)
    assert forced.reviews_unchanged == first.reviews_loaded


def test_bad_input_is_quarantined_and_the_good_still_loads(pages_dir, warehouse_path):
    (pages_dir / "empty.txt").write_bytes(b"")
    (pages_dir / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    (pages_dir / "unknown.html").write_text("<html><body><p>Hello world</p></body></html>")
    run = ingest([pages_dir], warehouse_path)
    assert run.status == "completed"
    assert run.pages_failed == 3
    with reading(warehouse_path) as con:
        problems = table(con, "SELECT stage, reason, source_url FROM quarantine ORDER BY ALL")
        loaded = table(con, "SELECT count(*) FROM reviews")[0][0]
    # 65 demo reviews parsed, less the two bad orchard rows and the card with no quote
    assert loaded == 62
    by_source = {
        Path(url.removeprefix("file://")).name: (stage, reason) for stage, reason, url in problems
    }
    assert by_source["empty.txt"] == ("parse", "empty page")
    assert by_source["binary.html"] == ("parse", "binary content, not a text page")
    assert by_source["unknown.html"][1].startswith("page in no known layout")
    orchard = [reason for stage, reason, url in problems if url.endswith("orchard_2008.txt")]
    assert len(orchard) == 2  # February 30 and 5/4


def test_a_failed_batch_loads_nothing_and_changes_nothing(pages_dir, warehouse_path):
    ingest([SEED_PAGE], warehouse_path)
    before = reviews(warehouse_path)
    raw_query = "SELECT source_url, count(*), min(run_id) FROM raw_reviews GROUP BY ALL"
    with reading(warehouse_path) as con:
        raw_before = table(con, raw_query)
    run = ingest([pages_dir], warehouse_path, max_quarantined_share=0.01)
    assert run.status == "failed"
    assert "too many rows quarantined" in (run.error_summary or "")
    assert reviews(warehouse_path) == before
    with reading(warehouse_path) as con:
        assert table(con, raw_query) == raw_before  # the raw layer went in, and was rolled back
        runs = table(con, "SELECT status, reviews_loaded FROM etl_runs ORDER BY started_at")
        failed_results = table(
            con, "SELECT suite, reason FROM validation_results WHERE NOT success AND tier = 'batch'"
        )
    assert runs == [("completed", 20), ("failed", 0)]
    assert ("reviews_batch", "too many rows quarantined") in failed_results


def test_a_broken_row_is_quarantined_alone(tmp_path, warehouse_path):
    page = (ROOT / "demo" / "pages" / "the_glass_orchard_2016_reviews.html").read_text()
    broken = page.replace(
        "Pretty, patient, and ultimately hollow.", "", 1
    )  # one row loses its quote
    target = tmp_path / "glass.html"
    target.write_text(broken)
    run = ingest([target], warehouse_path, max_quarantined_share=0.5)
    assert run.status == "completed"
    with reading(warehouse_path) as con:
        assert table(con, "SELECT count(*) FROM reviews")[0][0] == 5
        (reason,) = table(con, "SELECT reason FROM quarantine")[0]
    assert reason.startswith("quote is missing")


def test_a_saved_page_counts_as_the_web_page_named_beside_it(tmp_path, warehouse_path):
    target = tmp_path / "page.html"
    target.write_text((ROOT / "demo" / "pages" / "static_bloom_2022_reviews.html").read_text())
    target.with_suffix(".url").write_text("https://www.rottentomatoes.com/m/static_bloom/reviews\n")
    ingest([tmp_path], warehouse_path)
    with reading(warehouse_path) as con:
        sources = table(con, "SELECT DISTINCT source_url, movie_slug FROM reviews")
    assert sources == [("https://www.rottentomatoes.com/m/static_bloom/reviews", "static_bloom")]


def test_a_saved_page_given_a_new_address_is_read_again_under_it(tmp_path, warehouse_path):
    saved = tmp_path / "saved"  # not tmp_path itself: the warehouse's reports are there
    saved.mkdir()
    target = saved / "page.html"
    target.write_text((ROOT / "demo" / "pages" / "static_bloom_2022_reviews.html").read_text())
    address = target.with_suffix(".url")
    address.write_text("https://www.rottentomatoes.com/m/static_bloom/reviews\n")
    ingest([saved], warehouse_path)
    address.write_text("https://www.rottentomatoes.com/m/static_bloom_2022/reviews\n")
    later = address.stat().st_mtime_ns + 2_000_000_000  # coarse file clocks: surely later
    os.utime(address, ns=(later, later))

    moved = ingest([saved], warehouse_path)
    again = ingest([saved], warehouse_path)

    assert moved.pages_skipped == 0
    assert again.pages_skipped == 1
    with reading(warehouse_path) as con:
        slugs = table(con, "SELECT DISTINCT movie_slug FROM reviews ORDER BY 1")
    assert slugs == [("static_bloom",), ("static_bloom_2022",)]


def test_a_saved_page_whose_address_is_removed_is_read_again_as_a_file(tmp_path, warehouse_path):
    saved = tmp_path / "saved"
    saved.mkdir()
    target = saved / "page.html"
    address = target.with_suffix(".url")
    address.write_text("https://www.rottentomatoes.com/m/static_bloom/reviews\n")
    target.write_text((ROOT / "demo" / "pages" / "static_bloom_2022_reviews.html").read_text())
    earlier = target.stat().st_mtime_ns - 2_000_000_000  # the address is older than the page
    os.utime(address, ns=(earlier, earlier))
    ingest([saved], warehouse_path)
    address.unlink()

    run = ingest([saved], warehouse_path)

    assert run.pages_skipped == 0
    with reading(warehouse_path) as con:
        sources = table(con, "SELECT DISTINCT source_url FROM reviews ORDER BY 1")
    assert sources == [
        (target.resolve().as_uri(),),
        ("https://www.rottentomatoes.com/m/static_bloom/reviews",),
    ]


def test_a_review_seen_in_two_batches_is_loaded_once(tmp_path, warehouse_path):
    saved = tmp_path / "saved"
    saved.mkdir()
    page = (ROOT / "demo" / "pages" / "static_bloom_2022_reviews.html").read_text()
    for name in ("first.html", "second.html"):  # two addresses, the same reviews
        (saved / name).write_text(page)
        (saved / name).with_suffix(".url").write_text(
            "https://www.rottentomatoes.com/m/static_bloom/reviews\n"
            if name == "first.html"
            else "https://www.rottentomatoes.com/m/static_bloom/reviews?type=all\n"
        )
    run = ingest([saved], warehouse_path, batch_size=1)
    single = ingest([saved / "first.html"], tmp_path / "single.duckdb")
    assert run.status == "completed"
    assert run.reviews_parsed == 2 * single.reviews_loaded
    assert run.reviews_loaded == single.reviews_loaded
    assert reviews(warehouse_path) == reviews(tmp_path / "single.duckdb")


def test_a_page_over_the_cap_is_refused_whole_and_said_so(tmp_path, warehouse_path):
    """A page larger than --max-page-bytes loads none of its reviews instead of some, and the
    quarantine names the cap; pages under it load."""
    saved = tmp_path / "saved"
    saved.mkdir()
    seed = SEED_PAGE.read_text()
    (saved / "big.txt").write_text(seed.replace("Backstage", "Backstage Two") * 3)
    (saved / "small.txt").write_text(seed)
    cap = len(seed.encode()) + 100
    run = ingest([saved], warehouse_path, max_page_bytes=cap)
    assert run.status == "completed"
    with reading(warehouse_path) as con:
        titles = table(con, "SELECT DISTINCT movie_title FROM reviews")
        problems = table(con, "SELECT stage, reason, source_url FROM quarantine")
        pages = table(con, "SELECT url FROM pages")
    assert titles == [("Backstage",)]
    ((stage, reason, url),) = problems
    assert (stage, url.rsplit("/", 1)[-1]) == ("parse", "big.txt")
    assert reason == f"page larger than the {cap / 1024:.1f} KiB cap (--max-page-bytes)"
    assert [url.rsplit("/", 1)[-1] for (url,) in pages] == ["small.txt"]


def test_one_hostile_page_is_its_own_problem_never_the_runs(pages_dir, warehouse_path):
    """JSON nested 100,000 deep (here as JSON-LD) and an empty CSV: each is one quarantine
    row, every good review loads, and the run's staging is gone afterwards."""
    deep = "[" * 100_000 + "]" * 100_000
    (pages_dir / "deep.html").write_text(
        f'<html><script type="application/ld+json">{deep}</script></html>'
    )
    (pages_dir / "empty.csv").write_bytes(b"")
    run = ingest([pages_dir], warehouse_path)
    assert run.status == "completed"
    with reading(warehouse_path) as con:
        problems = dict(
            table(con, "SELECT regexp_extract(source_url, '[^/]+$'), reason FROM quarantine")
        )
        loaded = table(con, "SELECT count(*) FROM reviews")[0][0]
    assert problems["empty.csv"] == "empty CSV file: no header and no rows"
    assert problems["deep.html"].startswith("page in no known layout")
    assert loaded == 62  # every good demo review
    assert not any(warehouse_path.with_suffix(".staging").glob("*/*"))


def test_a_run_that_fails_before_parsing_leaves_no_staging_folder(tmp_path):
    """The warehouse cannot be read (not a DuckDB file): the run fails before it parses
    anything, and its staging folder goes with it, though the process lives on."""
    warehouse = tmp_path / "w.duckdb"
    warehouse.write_text("not a DuckDB file")
    state = ingest_reviews(
        sources=[str(SEED_PAGE)],
        options=IngestOptions(warehouse=str(warehouse)),
        return_state=True,
    )
    assert state.is_failed()
    assert warehouse.with_suffix(".staging").is_dir()  # the folder that holds the runs' own
    assert not any(warehouse.with_suffix(".staging").iterdir())
