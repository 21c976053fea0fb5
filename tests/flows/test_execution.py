"""How a run's batches are cut and run: `flows.execution`'s public interface."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prefect import flow
from prefect.utilities.annotations import quote

from flows.execution import (
    MAX_BATCHES,
    MIN_BATCH,
    PROCESSES_FROM_PAGES,
    ExecutionOptions,
    Work,
    batch_sizes,
    run_batches,
)
from flows.fetch import PageRef
from flows.pages import SavedFiles
from flows.stages import StagedBatch
from tests.conftest import DEMO_PAGES

pages = st.integers(min_value=0, max_value=200_000)
worker_counts = st.integers(min_value=1, max_value=16)


@given(pages, worker_counts)
def test_batches_cover_every_page_and_stay_few(count, workers):
    sizes = batch_sizes(count, workers=workers)
    assert sum(sizes) == count
    assert len(sizes) <= MAX_BATCHES
    assert all(size > 0 for size in sizes) or sizes == [0]


@given(pages, st.integers(min_value=1, max_value=5_000), worker_counts)
def test_a_batch_size_asked_for_is_the_size_of_every_batch_but_the_last(count, size, workers):
    sizes = batch_sizes(count, size, workers)
    assert sum(sizes) == count
    assert set(sizes[:-1]) <= {size}
    assert sizes[-1] <= size


@given(pages)
def test_batches_are_equal_with_one_worker(count):
    sizes = batch_sizes(count, workers=1)
    assert len(set(sizes[:-1])) <= 1
    assert sizes[-1] <= sizes[0]


@given(
    st.integers(min_value=MAX_BATCHES * MIN_BATCH * 4, max_value=200_000),
    st.integers(min_value=1, max_value=MAX_BATCHES // 4),
)
def test_only_several_workers_get_smaller_last_batches(count, workers):
    sizes = batch_sizes(count, workers=workers)
    body = sizes[: len(sizes) - 2 * workers] if workers > 1 else sizes[:-1]
    assert max(body) - min(body) <= 1  # equal, but for rounding
    if workers > 1:
        half, quarter = sizes[-2 * workers : -workers], sizes[-workers:]
        assert [round(body[0] / size) for size in [*half, *quarter]] == [2] * workers + [
            4
        ] * workers


def test_a_small_run_is_not_tapered():
    assert batch_sizes(120, workers=2) == [50, 50, 20]


@pytest.mark.usefixtures("prefect_harness")
def test_batches_run_on_threads_give_every_page_once_in_order(tmp_path):
    saved = sorted(DEMO_PAGES.glob("*.html"))
    stored = PageRef(saved[0].resolve().as_uri(), str(saved[0]), datetime.now(UTC))
    work = Work(pages=[stored], files=SavedFiles([str(path) for path in saved[1:]]))
    options = ExecutionOptions(runner="threads", batch_size=2)

    @flow
    def stage(work: Work) -> list[StagedBatch]:
        return run_batches(work, staging_dir=tmp_path, run_id="test", options=options)

    batches = stage(quote(work))

    assert [batch.batch_number for batch in batches] == list(range(len(batches)))
    assert len(batches) == -(-len(saved) // 2)
    parsed = sum(b.pages_parsed + b.pages_failed + b.pages_unchanged for b in batches)
    assert parsed == len(saved)


PREPARE = """
import psutil
from flows.execution import ExecutionOptions, prepare_workers
prepare_workers(ExecutionOptions(runner="{runner}"), {pages})
children = psutil.Process().children()
print(any("forkserver" in " ".join(child.cmdline()) for child in children))
"""


def forkserver_started(runner: str, pages: int) -> bool:
    # a fresh interpreter: a forkserver, once started, serves the whole process
    result = subprocess.run(
        [sys.executable, "-c", PREPARE.format(runner=runner, pages=pages)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip() == "True"


def test_a_run_with_pages_for_worker_processes_starts_their_forkserver_before_parsing():
    assert forkserver_started("auto", PROCESSES_FROM_PAGES)
    assert forkserver_started("processes", 1)
    assert not forkserver_started("auto", PROCESSES_FROM_PAGES - 1)
    assert not forkserver_started("threads", PROCESSES_FROM_PAGES)
