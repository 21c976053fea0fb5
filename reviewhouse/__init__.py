"""reviewhouse: film critics' review pages into a clean, analysable DuckDB warehouse."""

__version__ = "0.1.0"
