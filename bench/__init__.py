"""Benchmark and synthetic corpus for reviewhouse (not installed with the package)."""
