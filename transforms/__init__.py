"""Transform layer: pure Polars functions, frame in and frame out. No I/O, no Prefect, no DuckDB."""

from transforms.normalize import (
    clean_reviews,
    critics_of,
    deduplicate,
    key_reviews,
    movies_of,
    normalize_reviews,
    publications_of,
)

__all__ = [
    "clean_reviews",
    "critics_of",
    "deduplicate",
    "key_reviews",
    "movies_of",
    "normalize_reviews",
    "publications_of",
]
