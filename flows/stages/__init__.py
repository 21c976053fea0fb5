"""The pipeline's stages as plain functions: the flow's tasks call these, and so does the
benchmark, so orchestration overhead can be measured against the bare work.

Each stage returns a small result object with its counts and seconds.
"""

from flows.stages.combine import (
    Gathered,
    dimensions,
    gather,
    read_staged,
    scan_staged,
    score_snapshots,
)
from flows.stages.datasets import dataset_kind, read_movies_tables, stage_dataset
from flows.stages.facts import KnownFile, pages_seen
from flows.stages.fetch import FetchResult, fetch_pages, local_pages
from flows.stages.parse import (
    PageOutcome,
    ParsedBatch,
    StagedBatch,
    parse_pages,
    stage_batch,
    write_parquet,
)
from flows.stages.problems import page_problem
from flows.stages.validate import Verdict, validate_staged

__all__ = [
    "FetchResult",
    "Gathered",
    "KnownFile",
    "PageOutcome",
    "ParsedBatch",
    "StagedBatch",
    "Verdict",
    "dataset_kind",
    "dimensions",
    "fetch_pages",
    "gather",
    "local_pages",
    "page_problem",
    "pages_seen",
    "parse_pages",
    "read_movies_tables",
    "read_staged",
    "scan_staged",
    "score_snapshots",
    "stage_batch",
    "stage_dataset",
    "validate_staged",
    "write_parquet",
]
