"""The examples in the transforms' docstrings run and hold."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from transforms import keys, movies, scorecards, scores


@pytest.mark.parametrize("module", [keys, movies, scorecards, scores], ids=lambda m: m.__name__)
def test_docstring_examples_hold(module: ModuleType):
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
