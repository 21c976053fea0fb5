"""The options model: each default is the stage's own, and each stage gets its settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from expectations.settings import ValidationSettings
from flows.execution import ExecutionOptions
from flows.fetch.settings import FetchSettings
from flows.options import IngestOptions, RunOptions


def test_defaults_are_the_stages_own():
    options = IngestOptions()
    assert options.fetch_settings() == FetchSettings()
    assert options.validation == ValidationSettings()
    assert options.execution == ExecutionOptions()


def test_each_option_reaches_its_stage():
    options = IngestOptions(
        allow_hosts=["127.0.0.1"],
        min_delay_s=0,
        timeout_s=5,
        respect_robots=False,
        max_page_bytes=1_000,
        runner="processes",
        batch_size=7,
        max_unparsed_score_share=0.5,
    )
    fetch = options.fetch_settings()
    assert (fetch.allow_hosts, fetch.min_delay_s, fetch.total_timeout_s) == (
        frozenset({"127.0.0.1"}),
        0,
        5,
    )
    assert (fetch.respect_robots, fetch.max_page_bytes) == (False, 1_000)
    assert options.execution == ExecutionOptions(runner="processes", batch_size=7)
    assert options.validation.max_unparsed_score_share == 0.5


def test_force_and_full_refresh_both_read_everything_again():
    assert not IngestOptions().reads_everything
    assert IngestOptions(force=True).reads_everything
    assert IngestOptions(full_refresh=True).reads_everything


@pytest.mark.parametrize(
    "bad", [{"runner": "cluster"}, {"max_quarantined_share": 2}, {"batch_size": 0}, {"nope": 1}]
)
def test_a_bad_option_is_refused_naming_it(bad):
    with pytest.raises(ValidationError, match=next(iter(bad))):
        RunOptions(**bad)


def test_the_warehouse_and_its_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWHOUSE_WAREHOUSE", str(tmp_path / "env.duckdb"))
    assert RunOptions().location() == str(tmp_path / "env.duckdb")
    paths = RunOptions(warehouse=str(tmp_path / "w.duckdb"), reports_dir="r").paths()
    assert (paths.pages_dir, str(paths.reports_dir)) == (tmp_path / "w.pages", "r")
    assert paths.staging_dir == tmp_path / "w.staging"
