"""The benchmark itself, at its small size: every stage runs, our rows match the
baseline's row for row, and the start-up and typical runs section times whole commands
whose review counts agree. (Speed is judged by the benchmark at its large size, never
here.)"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

STAGES = ("fetch", "fetch_again", "parse", "transform", "validate", "load", "pipeline", "direct")


def test_small_benchmark_runs_every_stage_and_matches_the_baseline(tmp_path):
    # one timed run of each cold-start command, not five: the suite's time
    command = [sys.executable, "-m", "bench", "--size", "small", "--startup-runs", "1"]
    result = subprocess.run(
        [*command, "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((tmp_path / "small.json").read_text())
    assert (tmp_path / "small.png").stat().st_size > 10_000

    corpus = report["corpus"]
    assert corpus["pages"] > 24
    assert corpus["reviews"] > 100
    for stage in STAGES:
        assert report[stage]["seconds"] > 0, stage
        assert report[stage]["peak_rss_mb"] > 0, stage
    assert report["parse"]["reviews"] == corpus["reviews"]
    assert report["pipeline"]["reviews"] == corpus["reviews"]
    assert report["fetch_again"]["unchanged"] == report["fetch"]["pages"] == corpus["pages"]
    assert report["pipeline"]["incremental_skipped"] == corpus["pages"]

    comparison = report["comparison"]
    assert comparison["matches"], comparison["examples"]
    assert comparison["matched_rows"] == comparison["baseline_rows"] == corpus["reviews"]
    assert set(report["summary"]["targets"]) >= {
        "pipeline ≥ 25,000 reviews/s",
        "parse ≤ 1.5× bare DOM build",
    }
    assert "baseline comparison" in result.stdout

    startup = report["startup"]
    cold = startup["cold_start"]
    for command in ("import_s", "ingest_no_server_s", "ingest_with_server_s"):
        assert len(cold["all_runs"][command]) == 1
        assert cold[command] > 0
    assert cold["b_over_a"] == cold["ingest_no_server_s"] / cold["import_s"]
    tiers = startup["tiers"]
    assert [(t["tier"], t["requested_pages"]) for t in tiers] == [
        ("RT", 100), ("RT", 1_300), ("text", 100), ("text", 3_400), ("whole corpus", None),
    ]  # fmt: skip
    whole = tiers[-1]
    assert whole["pages"] == corpus["pages"]
    assert whole["reviews"] == whole["near_limit_reviews"] == corpus["reviews"]
    assert whole["baseline_reviews"] == corpus["reviews"]  # all 42 pages: none extrapolated
    assert tiers[1]["note"].endswith("the same pages as 'RT 100': its figures")
    assert sum(t["pages"] for t in (tiers[0], tiers[2])) <= corpus["pages"]
    for row in tiers:
        assert row["reviews"] == row["near_limit_reviews"] > 0
        assert min(row["reviewhouse_s"], row["near_limit_s"], row["baseline_s"]) > 0
        assert "parse" in row["reviewhouse_stages"]
    assert startup["counts_agree"]
    assert "typical runs" in result.stdout
