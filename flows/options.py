"""Every option of a run, declared once: its name, default and description.

The flows take these models as their `options` parameter (Prefect validates it and its UI
shows it as a form), `prefect.yaml` sets them under `options:`, and the command line makes
one `--kebab-case` flag of each field (`reviewhouse.options`). Defaults are not repeated
here: each comes from the settings of the stage that uses it (`FetchSettings`,
`ValidationSettings`, `ExecutionOptions`), and the methods below hand each stage its own.

    >>> options = IngestOptions(per_host_concurrency=2, max_quarantined_share=0.5)
    >>> options.fetch_settings().per_host_concurrency, options.validation.max_quarantined_share
    (2, 0.5)
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from expectations.settings import ValidationSettings
from flows.execution_settings import RUNNERS, ExecutionOptions
from flows.fetch.settings import FetchSettings
from flows.paths import Paths, resolve_warehouse

_FETCH = FetchSettings()
_VALIDATION = ValidationSettings()
_EXECUTION = ExecutionOptions()


class RunOptions(BaseModel):
    """How any run works: where the warehouse is, where parsing runs, when a batch fails."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    warehouse: str | None = Field(
        None,
        description="Warehouse file or DuckDB connection string "
        "(default: data/reviewhouse.duckdb).",
    )
    reports_dir: str | None = Field(
        None, description="Folder for the validation reports (default: beside the warehouse)."
    )
    batch_size: int | None = Field(
        _EXECUTION.batch_size, ge=1, description="Pages per parse task (default: automatic)."
    )
    max_quarantined_share: float = Field(
        _VALIDATION.max_quarantined_share,
        ge=0.0,
        le=1.0,
        description="Stop the load above this share.",
    )
    max_unparsed_score_share: float = Field(
        _VALIDATION.max_unparsed_score_share,
        ge=0.0,
        le=1.0,
        description="Stop the load when a larger share of the scores cannot be parsed.",
    )
    max_page_bytes: int = Field(
        _FETCH.max_page_bytes,
        ge=1,
        description="Refuse pages larger than this many bytes (fetched or saved), whole, "
        "with a quarantine row.",
    )
    runner: Literal[RUNNERS] = Field(  # type: ignore[valid-type]
        _EXECUTION.runner,
        description="Where parsing runs: auto (processes from 1,000 pages), threads, "
        "processes, dask.",
    )
    dask_address: str | None = Field(
        _EXECUTION.dask_address,
        description="Address of a Dask scheduler for the dask runner (default: a local one).",
    )
    writer_limit: str | None = Field(
        None,
        description="Prefect global concurrency limit to hold while loading, for writers "
        "on several machines (e.g. warehouse-writer).",
    )

    def location(self) -> str:
        """The warehouse: this option, else `$REVIEWHOUSE_WAREHOUSE`, else the default."""
        return resolve_warehouse(self.warehouse)

    def paths(self) -> Paths:
        return Paths.for_warehouse(self.location(), self.reports_dir)

    @property
    def execution(self) -> ExecutionOptions:
        return ExecutionOptions(
            runner=self.runner, batch_size=self.batch_size, dask_address=self.dask_address
        )

    @property
    def validation(self) -> ValidationSettings:
        return replace(
            _VALIDATION,
            max_quarantined_share=self.max_quarantined_share,
            max_unparsed_score_share=self.max_unparsed_score_share,
        )

    def recorded(self) -> dict[str, Any]:
        """The options as `etl_runs.parameters` keeps them: plain JSON values."""
        return self.model_dump(mode="json")


class IngestOptions(RunOptions):
    """How an ingest run works: the run's options, and how it fetches and what it skips."""

    allow_hosts: list[str] = Field(
        default_factory=list,
        description="Fetch from this private or local host anyway (repeatable), e.g. 127.0.0.1.",
    )
    concurrency: int = Field(_FETCH.concurrency, ge=1, description="Requests in flight in all.")
    per_host_concurrency: int = Field(
        _FETCH.per_host_concurrency, ge=1, description="Requests per host."
    )
    min_delay_s: float = Field(
        _FETCH.min_delay_s, ge=0.0, description="Minimum seconds between requests to one host."
    )
    autothrottle: bool = Field(
        _FETCH.autothrottle, description="Adapt the per-host delay to the server's latency."
    )
    respect_robots: bool = Field(
        _FETCH.respect_robots,
        description="Obey robots.txt (turn off only for servers you own).",
    )
    max_pages: int = Field(
        _FETCH.max_pages, ge=1, description="Pages followed from one URL (pagination)."
    )
    timeout_s: float = Field(_FETCH.total_timeout_s, ge=1.0, description="Seconds for one request.")
    user_agent: str = Field(_FETCH.user_agent, description="User-Agent header to send.")
    force: bool = Field(
        False, description="Parse and load every page, even those unchanged since last run."
    )
    full_refresh: bool = Field(
        _FETCH.full_refresh,
        description="Walk every page again (implies force): API paging does not stop at "
        "reviews the warehouse already holds.",
    )

    @property
    def reads_everything(self) -> bool:
        """Every page is parsed and loaded again, whatever the warehouse holds."""
        return self.force or self.full_refresh

    def fetch_settings(self) -> FetchSettings:
        return replace(
            _FETCH,
            user_agent=self.user_agent,
            concurrency=self.concurrency,
            per_host_concurrency=self.per_host_concurrency,
            min_delay_s=self.min_delay_s,
            autothrottle=self.autothrottle,
            respect_robots=self.respect_robots,
            allow_hosts=frozenset(self.allow_hosts),
            max_pages=self.max_pages,
            total_timeout_s=self.timeout_s,
            max_page_bytes=self.max_page_bytes,
            full_refresh=self.full_refresh,
        )
