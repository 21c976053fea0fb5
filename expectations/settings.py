"""Thresholds the batch tier enforces. Defaults are what a nightly run should tolerate."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ValidationSettings:
    max_quarantined_share: float = 0.20
    max_unparsed_score_share: float = 0.25
    min_kept_share_per_movie: float = 0.5
    max_quote_chars: int = 20_000
    max_name_chars: int = 300
    earliest_review_year: int = 1900
