"""Moved to `tests.flows.fetch.rawserver`; kept importable for `tests/flows/test_transport.py`
until that test moves beside the other fetch tests."""

from tests.flows.fetch.rawserver import keepalive_server

__all__ = ["keepalive_server"]
