"""Validation layer: Great Expectations suites as code, run between transform and load."""
