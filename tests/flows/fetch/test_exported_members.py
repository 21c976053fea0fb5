"""The fetch stage's public API is what `flows.fetch.__all__` says, and every name in it
resolves."""

from __future__ import annotations

import pytest

import flows.fetch


def test_every_public_name_resolves_to_its_home():
    assert sorted(flows.fetch._HOME_OF) == sorted(flows.fetch.__all__)
    for name in flows.fetch.__all__:
        value = getattr(flows.fetch, name)
        assert getattr(value, "__module__", flows.fetch.__name__).startswith("flows.fetch")


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="Crawlr"):
        flows.fetch.Crawlr  # noqa: B018
