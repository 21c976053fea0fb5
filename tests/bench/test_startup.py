"""The start-up and typical runs section's parts: the near-limit script, the baseline over
saved files, and how page sets are picked. (Their timings are the benchmark's, never here.)"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from bench import corpus, near_limit, startup
from tests.conftest import ROOT

BASE = "http://corpus.local"


def write_movies(directory: Path, pages_per_layout: int = 3) -> dict:
    """Pages of the benchmark corpus, named as `corpus.write` names them, until every layout
    has `pages_per_layout` pages; returns the reviews and pages written per layout."""
    rng = random.Random(20261130)
    written: dict[str, dict[str, int]] = {}
    number = page_number = 0
    while (
        len(written) < len(corpus.LAYOUT_WEIGHTS)
        or min(counts["pages"] for counts in written.values()) < pages_per_layout
    ):
        for page in corpus.movie_pages(rng, number):
            counts = written.setdefault(page.layout, {"pages": 0, "reviews": 0})
            if counts["pages"] >= pages_per_layout:
                continue
            name = directory / f"{page_number // 1000:03d}" / f"page-{page_number:07d}"
            name = name.with_suffix("." + corpus._suffix(page.layout))
            name.parent.mkdir(parents=True, exist_ok=True)
            name.write_text(page.body)
            name.with_suffix(".url").write_text(BASE + page.path + "\n")
            counts["pages"] += 1
            counts["reviews"] += page.reviews
            page_number += 1
        number += 1
    return written


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> tuple[Path, dict]:
    directory = tmp_path_factory.mktemp("corpus") / "pages"
    return directory, write_movies(directory)


def test_the_near_limit_script_loads_every_review_of_every_layout(pages, tmp_path):
    directory, written = pages
    warehouse = tmp_path / "near.duckdb"

    result = subprocess.run(
        [sys.executable, ROOT / "bench" / "near_limit.py", directory, "--warehouse", warehouse],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    expected = sum(counts["reviews"] for counts in written.values())
    assert f"loaded {expected} reviews from {len(list(directory.rglob('*.url')))} pages" in (
        result.stdout
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reviews = pl.from_arrow(con.sql("SELECT * FROM reviews").to_arrow_table())
    assert reviews.height == expected
    assert reviews.get_column("review_date").null_count() == 0
    assert reviews.get_column("quote").null_count() == 0
    assert reviews.get_column("quote").str.starts_with(" ").sum() == 0
    scored = reviews.filter(pl.col("score_raw").is_not_null())
    assert scored.height > expected / 2
    # every score the corpus writes has a value on 0..1 (fractions, letters, stars, percents)
    assert scored.get_column("score").null_count() == 0
    assert scored.get_column("score").is_between(0, 1).all()
    # fresh or rotten wherever a layout says it (legacy text and schema.org do not)
    assert reviews.get_column("is_fresh").drop_nulls().len() > expected / 2


def test_the_near_limit_pool_gives_the_same_rows_as_one_process(pages):
    directory, _ = pages
    paths = near_limit.list_pages([str(directory)])

    alone = near_limit.parse_all(paths, workers=1)
    pooled = near_limit.parse_all(paths, workers=2, pool_from=0)

    assert pooled.equals(alone)
    assert near_limit.normalise(alone).height == alone.height  # no review is there twice


def test_the_near_limit_script_keeps_one_row_per_review_key():
    raw = pl.DataFrame(
        {
            "movie": ["slug:a", "slug:a", "slug:a", "slug:b"],
            "movie_title": ["A", "A", "A", "B"],
            "critic": ["Ann Lee", " ann lee ", "Bo", "Ann Lee"],
            "publication": ["Paper"] * 4,
            "sentiment": ["fresh", "POSITIVE", "rotten", None],
            "score_raw": ["3.5/4", " B+ ", "***", "70%"],
            "date_raw": ["March 4, 2021", "2021-03-04T12:00:00Z", "Mar 4, 2021", " May 1, 2020"],
            "quote": ["Good.", "Good. ", "Bad.", "Good."],
        }
    )

    reviews = near_limit.normalise(raw)

    assert reviews.get_column("movie").to_list() == ["slug:a", "slug:a", "slug:b"]
    assert reviews.get_column("score").to_list() == pytest.approx([0.875, 0.75, 0.7])
    assert reviews.get_column("is_fresh").to_list() == [True, False, None]
    assert [str(day) for day in reviews.get_column("review_date")] == [
        "2021-03-04",
        "2021-03-04",
        "2020-05-01",
    ]


def test_the_baseline_reads_saved_files_as_a_command(pages, tmp_path):
    directory, written = pages
    result = subprocess.run(
        [sys.executable, "-m", "bench.baseline", directory, "--warehouse", tmp_path / "b.duckdb"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    reported = json.loads(result.stdout.strip().splitlines()[-1])
    assert reported["reviews"] == sum(counts["reviews"] for counts in written.values())
    assert reported["pages"] == sum(counts["pages"] for counts in written.values())
    assert reported["work_s"] > 0


def test_a_pages_layout_is_told_by_its_address(pages):
    directory, written = pages

    layouts = [startup.layout_of(page) for page in startup.page_files(directory)]

    assert {layout: layouts.count(layout) for layout in set(layouts)} == {
        layout: counts["pages"] for layout, counts in written.items()
    }


def fake_corpus(counts: dict[str, int]) -> dict[Path, str]:
    """Page names and layouts, interleaved as a corpus's are (the files need not exist)."""
    layouts = [layout for layout, count in counts.items() for _ in range(count)]
    random.Random(7).shuffle(layouts)
    return {Path(f"/corpus/{n // 1000:03d}/page-{n:07d}.x"): lay for n, lay in enumerate(layouts)}


def test_page_sets_are_deterministic_spread_out_and_of_the_tiers_size():
    layouts = fake_corpus(
        {"review_row": 2_000, "rt_api": 900, "legacy_text": 700, "schema_org": 50}
    )
    for _name, wanted, count in startup.TIERS:
        chosen = startup.select(layouts, wanted, count)
        eligible = sorted(p for p, lay in layouts.items() if wanted is None or lay in wanted)

        assert chosen == startup.select(dict(reversed(layouts.items())), wanted, count)
        assert len(chosen) == len(set(chosen)) == min(count or len(eligible), len(eligible))
        assert chosen == sorted(chosen)
        assert set(chosen) <= set(eligible)
        assert chosen[0] == eligible[0]
        if count is not None and count < len(eligible):
            assert chosen[-1] >= eligible[-len(eligible) // count]  # spread to the end
    # tiers only as large as what the corpus holds: 700 text pages, not 3,400
    assert len(startup.select(layouts, startup.TEXT_LAYOUTS, 3_400)) == 700
    assert {layouts[p] for p in startup.select(layouts, startup.RT_LAYOUTS, 1_300)} == {
        "review_row",
        "rt_api",
    }


def test_a_page_set_is_placed_with_its_addresses(pages, tmp_path):
    directory, _ = pages
    chosen = startup.evenly(startup.page_files(directory), 4)

    folder = startup.place(chosen, tmp_path / "tier")

    assert sorted(p.name for p in folder.iterdir()) == sorted(
        name for page in chosen for name in (page.name, page.with_suffix(".url").name)
    )
    for page in chosen:
        assert (folder / page.name).read_bytes() == page.read_bytes()
        assert (folder / page.name).with_suffix(".url").read_text().startswith(BASE)
