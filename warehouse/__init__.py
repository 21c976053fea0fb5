"""Warehouse layer: the DuckDB schema (SQL files), migrations, loads and publishing."""
