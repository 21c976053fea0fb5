"""Data Docs that render with no network and phone nobody.

GX's page templates load jQuery, Bootstrap, bootstrap-table, Font Awesome and Vega from
public CDNs, and fetch the GX logo from an address that carries the context's id. Each page
written in a run is rewritten to use the copies shipped in `docs_assets/` and the logo in
the site's own `static/images/`.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable
from importlib.resources import as_file, files
from pathlib import Path

# CDN address (as a pattern) -> shipped file
_ASSETS: tuple[tuple[str, str], ...] = (
    (r"https://code\.jquery\.com/jquery-[\d.]+\.min\.js", "jquery.min.js"),
    (
        r"https://cdnjs\.cloudflare\.com/ajax/libs/popper\.js/[\d.]+/umd/popper\.min\.js",
        "popper.min.js",
    ),
    (
        r"https://[a-z]+\.bootstrapcdn\.com/bootstrap/[\d.]+/js/bootstrap\.min\.js",
        "bootstrap.min.js",
    ),
    (
        r"https://[a-z]+\.bootstrapcdn\.com/bootstrap/[\d.]+/css/bootstrap\.min\.css",
        "bootstrap.min.css",
    ),
    (
        r"https://unpkg\.com/bootstrap-table@[\d.]+/dist/extensions/filter-control/"
        r"bootstrap-table-filter-control(?:\.min)?\.js",
        "bootstrap-table-filter-control.min.js",
    ),
    (
        r"https://unpkg\.com/bootstrap-table@[\d.]+/dist/extensions/filter-control/"
        r"bootstrap-table-filter-control(?:\.min)?\.css",
        "bootstrap-table-filter-control.min.css",
    ),
    (
        r"https://unpkg\.com/bootstrap-table@[\d.]+/dist/bootstrap-table\.min\.js",
        "bootstrap-table.min.js",
    ),
    (
        r"https://unpkg\.com/bootstrap-table@[\d.]+/dist/bootstrap-table\.min\.css",
        "bootstrap-table.min.css",
    ),
    (
        r"https://cdnjs\.cloudflare\.com/ajax/libs/bootstrap-datepicker/[\d.]+/js/"
        r"bootstrap-datepicker\.min\.js",
        "bootstrap-datepicker.min.js",
    ),
    (
        r"https://cdnjs\.cloudflare\.com/ajax/libs/bootstrap-datepicker/[\d.]+/css/"
        r"bootstrap-datepicker\.min\.css",
        "bootstrap-datepicker.min.css",
    ),
    (
        r"https://cdn\.jsdelivr\.net/npm/@forevolve/bootstrap-dark@[\d.]+/dist/css/"
        r"bootstrap-prefers-dark(?:\.min)?\.css",
        "bootstrap-prefers-dark.min.css",
    ),
    (
        r"https://cdnjs\.cloudflare\.com/ajax/libs/font-awesome/[\d.]+/css/all\.min\.css",
        "css/fontawesome.min.css",
    ),
    (r"https://cdn\.jsdelivr\.net/npm/vega@\d+", "vega.min.js"),
    (r"https://cdn\.jsdelivr\.net/npm/vega-lite@\d+", "vega-lite.min.js"),
    (r"https://cdn\.jsdelivr\.net/npm/vega-embed@\d+", "vega-embed.min.js"),
)
_LOGO = re.compile(r"https://great-expectations-web-assets\.[^\"']*?/([\w-]+\.png)[^\"']*")
_VENDOR = ("static", "vendor")


def make_offline(docs_dir: Path, pages: Iterable[Path]) -> None:
    """Ship the assets into `docs_dir` and point `pages` at them."""
    vendor = docs_dir.joinpath(*_VENDOR)
    _install_assets(vendor)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        prefix = os.path.relpath(docs_dir, page.parent).replace(os.sep, "/")
        for pattern, asset in _ASSETS:
            html = re.sub(pattern, f"{prefix}/{'/'.join(_VENDOR)}/{asset}", html)
        html = _LOGO.sub(rf"{prefix}/static/images/\1", html)
        page.write_text(html, encoding="utf-8")


def pages_written_since(docs_dir: Path, since: float) -> list[Path]:
    return [page for page in docs_dir.rglob("*.html") if page.stat().st_mtime >= since]


def _install_assets(vendor: Path) -> None:
    if (vendor / "vega.min.js").exists():
        return
    with as_file(files("expectations") / "docs_assets") as source:
        shutil.copytree(source, vendor, dirs_exist_ok=True)
