"""Orchestration layer: Prefect flows and tasks, and the fetching of pages (the only network
code in reviewhouse). Logic lives in `parsers`, `transforms`, `expectations` and `warehouse`."""
