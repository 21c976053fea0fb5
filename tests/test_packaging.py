"""The wheel holds every package of the checkout: a package missing from pyproject's list
imports in a checkout and fails once installed."""

from __future__ import annotations

import tomllib

from tests.conftest import ROOT


def test_every_package_of_the_checkout_is_listed_in_pyproject():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in sorted({name.split(".")[0] for name in listed})
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert on_disk == listed
