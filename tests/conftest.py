"""Shared fixtures. Real engines throughout: DuckDB files, GX, Prefect's test harness."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# Offline and quiet before Prefect or GX are imported anywhere.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO_PAGES = ROOT / "demo" / "pages"
SEED_PAGE = DEMO_PAGES / "backstage_2005.txt"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test server for the whole session (starting one takes ~10 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def prefect_api_url(prefect_harness) -> str:
    from prefect.settings import PREFECT_API_URL

    return str(PREFECT_API_URL.value())


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    return tmp_path / "wh" / "reviews.duckdb"


@pytest.fixture
def pages_dir(tmp_path: Path) -> Path:
    """A private copy of the demo pages, safe to add bad pages to."""
    target = tmp_path / "pages"
    shutil.copytree(DEMO_PAGES, target)
    return target
