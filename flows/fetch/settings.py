"""Every knob of the fetch layer, with polite defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version


def _version() -> str:
    """reviewhouse's installed version, read from its metadata: this layer imports nothing
    above it."""
    try:
        return version("reviewhouse")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0"


# Says what is asking and where to read about it. Its first word is the product token
# robots.txt groups are matched against (`User-agent: reviewhouse`).
PROJECT_URL = "https://github.com/reviewhouse/reviewhouse"
DEFAULT_USER_AGENT = f"reviewhouse/{_version()} (film critic-review crawler; +{PROJECT_URL})"
MAX_PAGE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FetchSettings:
    user_agent: str = DEFAULT_USER_AGENT
    concurrency: int = 16  # requests in flight across all hosts
    per_host_concurrency: int = 4
    min_delay_s: float = 0.25  # between request starts on one host
    autothrottle: bool = True  # adapt the per-host delay to the server's latency
    autothrottle_start_s: float = 1.0
    autothrottle_max_s: float = 30.0
    autothrottle_target_concurrency: float = 2.0
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    total_timeout_s: float = 60.0  # one attempt, start to last byte
    max_redirects: int = 5
    max_page_bytes: int = MAX_PAGE_BYTES  # larger pages are refused whole, not cut short
    attempts: int = 5
    backoff_base_s: float = 0.5
    backoff_cap_s: float = 30.0
    retry_budget_s: float = 300.0  # all attempts of one URL, waits included
    respect_robots: bool = True
    allow_hosts: frozenset[str] = field(default_factory=frozenset)
    max_pages: int = 50  # pages followed from one seed URL (pagination, next links)
    http2: bool = True
    # Walk every page again: no conditional requests and no page taken as seen before (the
    # link finder, e.g. `parsers.FeedLinks(..., full_refresh=True)`, then ignores known reviews).
    full_refresh: bool = False

    @classmethod
    def unthrottled(cls, **overrides: object) -> FetchSettings:
        """No politeness delay: for servers you own, tests and benchmarks."""
        base = {
            "concurrency": 32,
            "per_host_concurrency": 32,
            "min_delay_s": 0.0,
            "autothrottle": False,
        }
        return cls(**{**base, **overrides})  # type: ignore[arg-type]
