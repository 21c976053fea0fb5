"""Normalisation measured on real data: the Kaggle slice in tests/fixtures."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import polars as pl

from parsers import datasets
from tests.conftest import FIXTURES
from transforms.normalize import normalize_reviews


def kaggle_reviews() -> pl.DataFrame:
    data = (FIXTURES / "kaggle_rt_critic_reviews_first1MiB.csv").read_bytes()
    complete = data[: datasets.complete_prefix(data)]
    frame = pl.read_csv(io.BytesIO(complete), infer_schema=False)
    kind = datasets.sniff(frame.columns)
    assert kind is not None
    raw = datasets.raw_reviews(
        frame, kind.columns, source_url="file:///kaggle.csv", fetched_at=datetime.now(UTC)
    ).collect()
    return normalize_reviews(raw)


def test_at_least_995_per_mille_of_real_scores_parse(capsys):
    reviews = kaggle_reviews()
    given = reviews.filter(pl.col("score_raw").is_not_null())
    ok = given.filter(pl.col("score_status") == "ok")
    share = ok.height / given.height
    rest = given.filter(pl.col("score_status") != "ok").group_by("score_raw", "score_status").len()
    with capsys.disabled():
        print(f"\nKaggle slice: {ok.height}/{given.height} non-empty scores ok = {share:.2%}")
        for row in rest.iter_rows(named=True):
            print(f"  not ok: {row['score_raw']!r} -> {row['score_status']} ({row['len']} rows)")
    assert given.height == 3955  # non-empty review_score values in the slice
    assert share >= 0.995


def test_real_format_mix_matches_the_measured_frequencies():
    kinds = kaggle_reviews().group_by("score_kind").len().sort("score_kind")
    counts = dict(zip(kinds["score_kind"], kinds["len"], strict=True))
    assert counts == {None: 1210, "fraction": 3307, "letter": 648}
