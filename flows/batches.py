"""A run's batches on disk, and the job that stages one: `flows.execution`'s helper.

A batch's pages go to whoever stages it (a worker process, or a task's thread) as a file
(`save_batch`): tasks are handed its path, never the pages, and Prefect walks none of them.
The pages are written as plain tuples: a run pickles every page, and a slotted dataclass's
own pickling is the slower (docs/performance.md). Staging a batch (`stage_batch_file`) asks
the kernel to read the next pages while the parser works on this one (`read_ahead`).
"""

from __future__ import annotations

import collections
import dataclasses
import itertools
import operator
import os
import pickle
from collections.abc import Iterable, Iterator
from pathlib import Path

from flows.fetch import PageRef
from flows.pages import saved_page
from flows.stages import StagedBatch, stage_batch

_page_fields = operator.attrgetter(*(field.name for field in dataclasses.fields(PageRef)))


def save_batch(pages: list[PageRef], files: list[str], path: Path) -> str:
    """Write a batch's pages, and its saved files never loaded (`flows.pages.SavedFiles`),
    for `stage_batch_file`; returns the file's path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    listed = ([_page_fields(page) for page in pages], files)
    path.write_bytes(pickle.dumps(listed, protocol=pickle.HIGHEST_PROTOCOL))
    return str(path)


def read_batch(path: str) -> Iterator[PageRef]:
    """The pages a batch file lists, in order; saved files become pages as they are reached."""
    fields, files = pickle.loads(Path(path).read_bytes())
    return itertools.chain((PageRef(*page) for page in fields), map(saved_page, files))


def stage_batch_file(
    pages_file: str, *, batch_number: int, staging_dir: Path, run_id: str, max_page_bytes: int
) -> StagedBatch:
    """`flows.stages.stage_batch` over the pages of a batch file, read ahead."""
    return stage_batch(
        read_ahead(read_batch(pages_file)),
        batch_number=batch_number,
        staging_dir=staging_dir,
        run_id=run_id,
        max_page_bytes=max_page_bytes,
    )


# Pages whose reading the kernel starts ahead of the parser: parsing is CPU-bound and reading
# a page not in the page cache waits on the disk, so the two overlap.
READ_AHEAD = 32


def read_ahead(pages: Iterable[PageRef], ahead: int = READ_AHEAD) -> Iterator[PageRef]:
    """`pages`, each one's file handed to the kernel to read `ahead` pages before it is
    reached (`posix_fadvise` WILLNEED)."""
    coming: collections.deque[PageRef] = collections.deque()
    for page in pages:
        _will_need(page.body_path)
        coming.append(page)
        if len(coming) > ahead:
            yield coming.popleft()
    yield from coming


def _will_need(path: str) -> None:
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return  # reported when the page itself is read
    try:
        os.posix_fadvise(handle, 0, 0, os.POSIX_FADV_WILLNEED)
    finally:
        os.close(handle)
