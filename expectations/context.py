"""A file-backed Great Expectations context that runs offline and quietly.

The context lives in `<reports_dir>/gx` and writes its Data Docs as static HTML to
`<reports_dir>/data_docs`, so every run leaves a report beside the warehouse.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

# Set before GX is imported: no usage statistics, no network calls.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx
from great_expectations.data_context import FileDataContext
from great_expectations.data_context.types.base import ProgressBarsConfig

DATASOURCE = "reviewhouse"
DOCS_SITE = "reviewhouse_docs"

for noisy in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
    logging.getLogger(noisy).setLevel(logging.WARNING)


def open_context(reports_dir: str | Path) -> FileDataContext:
    """The project's GX context under `reports_dir`, created on first use."""
    reports_dir = Path(reports_dir).resolve()
    reports_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(reports_dir))
    assert isinstance(context, FileDataContext)
    changed = False
    if context.variables.progress_bars != ProgressBarsConfig(
        globally=False, metric_calculations=False
    ):
        context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
        changed = True
    sites = context.variables.data_docs_sites or {}
    if list(sites) != [DOCS_SITE]:
        context.variables.data_docs_sites = {DOCS_SITE: _docs_site(reports_dir / "data_docs")}
        changed = True
    if changed:
        context.variables.save()
        context = gx.get_context(mode="file", project_root_dir=str(reports_dir))
    return context


def docs_index(reports_dir: str | Path) -> Path:
    return Path(reports_dir).resolve() / "data_docs" / "index.html"


def _docs_site(directory: Path) -> dict:
    return {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(directory),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }
