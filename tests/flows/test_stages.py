"""The stages' glue: a batch staged, the batches gathered, the page facts."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from flows import batches as batch_files
from flows import stages
from flows.fetch import PageRef
from flows.pages import file_page
from flows.stages.parse import raw_records
from parsers import RAW_SCHEMA
from tests.conftest import ROOT

DEMO = ROOT / "demo" / "pages"


def staged_batches(pages: list[list[Path]], staging: Path) -> list[stages.StagedBatch]:
    return [
        stages.stage_batch(
            [file_page(path) for path in batch],
            batch_number=number,
            staging_dir=staging,
            run_id="test",
        )
        for number, batch in enumerate(pages)
    ]


def test_batches_without_a_shared_review_are_handed_on_as_their_files(tmp_path):
    batches = staged_batches(
        [[DEMO / "static_bloom_2022_reviews.html"], [DEMO / "the_glass_orchard_2016_reviews.html"]],
        tmp_path,
    )
    staged = stages.scan_staged(batches)
    assert not staged.merged
    assert staged.review_files == tuple(path for b in batches for path in b.reviews_paths)
    assert len(staged.review_files) == 2
    assert staged.reviews.collect().height == sum(b.reviews_parsed for b in batches)


def test_a_review_in_two_batches_is_merged_and_the_files_are_not_handed_on(tmp_path):
    page = DEMO / "static_bloom_2022_reviews.html"
    batches = staged_batches([[page], [page]], tmp_path)
    staged = stages.scan_staged(batches)
    reviews = staged.reviews.collect()
    assert staged.merged
    assert reviews.height == batches[0].reviews_parsed
    assert reviews.get_column("review_id").is_unique().all()


def test_a_batch_file_gives_back_its_pages_then_its_saved_files_in_order(tmp_path):
    stored = PageRef(
        url="https://www.rottentomatoes.com/m/backstage/reviews",
        body_path=str(tmp_path / "ab" / "abcdef.zst"),
        fetched_at=datetime(2026, 11, 27, 13, 5, tzinfo=UTC),
        compressed=True,
        content_type="text/html; charset=utf-8",
        content_hash="abcdef",
        previous_hash="012345",
    )
    saved = sorted(DEMO.glob("*.html"))[0]
    written = batch_files.save_batch([stored], [str(saved)], tmp_path / "batch.pickle")

    assert list(batch_files.read_batch(written)) == [stored, file_page(saved)]


def test_reading_ahead_keeps_every_page_in_order():
    pages = [PageRef(f"https://x/{n}", f"/nowhere/{n}", datetime.now(UTC)) for n in range(40)]
    assert list(batch_files.read_ahead(iter(pages), ahead=32)) == pages
    assert list(batch_files.read_ahead(iter(pages[:3]), ahead=32)) == pages[:3]


def test_raw_records_put_each_page_beside_its_own_reviews_numbered_from_zero():
    first, second = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    reviews = [
        {"critic_name": "A. Critic", "score_raw": "3/4"},
        {"critic_name": "B. Critic", "quote_raw": "Fine."},
        {"publication": "Paper", "movie_year": 2005},
    ]
    pages = [
        ("https://x/m/one/reviews", "review_row", None, first, 2),
        ("https://x/m/empty/reviews", "review_row", 1, first, 0),
        ("https://x/m/two/reviews", "schema_org", 2, second, 1),
    ]

    raw = raw_records(reviews, pages)

    assert raw.schema == RAW_SCHEMA
    assert raw.select("source_url", "source_layout", "page_number", "record_number").rows() == [
        ("https://x/m/one/reviews", "review_row", None, 0),
        ("https://x/m/one/reviews", "review_row", None, 1),
        ("https://x/m/two/reviews", "schema_org", 2, 0),
    ]
    assert raw.get_column("fetched_at").to_list() == [first, first, second]
    assert raw.get_column("critic_name").to_list() == ["A. Critic", "B. Critic", None]
    assert raw.get_column("movie_year").to_list() == [None, None, 2005]
    assert raw_records([], []).schema == RAW_SCHEMA


def test_a_saved_file_is_staged_as_its_page_and_a_vanished_one_reported(tmp_path):
    saved = tmp_path / "saved.html"
    saved.write_bytes((DEMO / "static_bloom_2022_reviews.html").read_bytes())
    saved.with_suffix(".url").write_text("https://www.rottentomatoes.com/m/static_bloom/reviews\n")
    gone = tmp_path / "gone.html"
    listed = batch_files.save_batch([], [str(saved), str(gone)], tmp_path / "batch.pickle")
    as_paths = batch_files.stage_batch_file(
        listed, batch_number=0, staging_dir=tmp_path / "a", run_id="test", max_page_bytes=1 << 24
    )
    as_refs = stages.stage_batch(
        [file_page(saved)], batch_number=0, staging_dir=tmp_path / "b", run_id="test"
    )
    assert (as_paths.pages_parsed, as_paths.pages_failed) == (1, 1)
    assert as_paths.reviews_parsed == as_refs.reviews_parsed > 0
    facts, facts_from_refs = (
        pl.read_parquet(batch.facts_paths[0]).drop("fetched_at") for batch in (as_paths, as_refs)
    )
    assert facts.equals(facts_from_refs)  # the same page, the same address and version
    assert facts.get_column("url").to_list() == [
        "https://www.rottentomatoes.com/m/static_bloom/reviews"
    ]
    (problem,) = pl.read_parquet(as_paths.quarantine_paths[0]).iter_rows(named=True)
    assert problem["source_url"] == gone.resolve().as_uri()
    assert problem["reason"].startswith("cannot read page")


def test_page_facts_of_a_run_keep_the_last_reading_of_a_page_with_what_its_server_said(tmp_path):
    page = DEMO / "static_bloom_2022_reviews.html"
    batches = staged_batches([[page], [page]], tmp_path)
    url = file_page(page).url
    web = stages.facts.web_facts([])  # no web page this run
    web_path = stages.write_parquet(web, tmp_path / "web.parquet")
    seen_at = datetime(2026, 3, 1, tzinfo=UTC)

    seen = stages.pages_seen([p for b in batches for p in b.facts_paths], web_path, seen_at)

    assert seen.get_column("url").to_list() == [url]
    (row,) = seen.iter_rows(named=True)
    assert (row["source_kind"], row["layout"], row["last_seen_at"]) == (
        "file",
        "review_row",
        seen_at,
    )
    assert row["reviews_parsed"] == batches[1].reviews_parsed
    assert row["http_status"] is None


def test_a_corrupt_or_cut_stored_page_is_that_pages_quarantine_row(tmp_path):
    """Raw store files broken on disk (a zstd frame that is not one, a cut gzip) are each
    one page's problem; the good page beside them parses."""
    corrupt = tmp_path / "corrupt.zst"
    corrupt.write_bytes(b"\x28\xb5\x2f\xfd" + b"not a frame" * 20)
    cut = tmp_path / "cut.gz"
    cut.write_bytes(gzip.compress(b"x" * 10_000)[:40])
    now = datetime.now(UTC)
    pages = [
        PageRef("https://x.example/a", str(corrupt), now, compressed=True),
        PageRef("https://x.example/b", str(cut), now, compressed=True),
        file_page(DEMO / "static_bloom_2022_reviews.html"),
    ]
    parsed = stages.parse_pages(pages, run_id="test")
    reasons = dict(zip(parsed.quarantine["source_url"], parsed.quarantine["reason"], strict=True))
    assert set(reasons) == {"https://x.example/a", "https://x.example/b"}
    assert all(reason.startswith("cannot read page: ") for reason in reasons.values())
    assert parsed.raw.height == 5


def test_a_dataset_gone_since_it_was_listed_is_its_own_quarantine_row(tmp_path):
    staged = stages.stage_dataset(
        tmp_path / "gone.csv", batch_number=0, staging_dir=tmp_path / "staging", run_id="test"
    )
    (problem,) = pl.read_parquet(staged.quarantine_paths).iter_rows(named=True)
    assert problem["reason"] == "cannot read dataset: No such file or directory"
    assert (staged.pages_failed, staged.facts_paths, staged.reviews_paths) == (1, (), ())


def test_a_page_file_gone_since_it_was_listed_is_left_to_its_worker_to_report(tmp_path):
    """A re-run lists a folder, then a file disappears before its change check: it goes on
    as a bare path, whose reading fails, and is reported, in its turn."""
    kept = tmp_path / "kept.html"
    kept.write_text((DEMO / "static_bloom_2022_reviews.html").read_text())
    known = {"file:///elsewhere.html": stages.KnownFile("file:///elsewhere.html", "h", None, 1, 1)}
    pages, saved, unchanged = stages.local_pages([str(kept), str(tmp_path / "gone.html")], known)
    assert [page.body_path for page in pages] == [str(kept)]
    assert saved.paths == [str(tmp_path / "gone.html")]
    assert unchanged.is_empty()
