"""Benchmark and synthetic corpus for reviewhouse (not installed with the package)."""

import json
from pathlib import Path


def write_result(directory: Path, name: str, result: dict) -> Path:
    """Save a measurement as `<directory>/<name>.json`; returns the file."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    path.write_text(json.dumps(result, indent=2))
    return path
