"""The benchmark itself, at its small size: every stage runs, and our rows match the
baseline's row for row. (Speed is judged by the benchmark at its large size, never here.)"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

STAGES = ("fetch", "fetch_again", "parse", "transform", "validate", "load", "pipeline", "direct")


def test_small_benchmark_runs_every_stage_and_matches_the_baseline(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--size", "small", "--out", str(tmp_path)],
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
