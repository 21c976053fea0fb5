"""The one-way import rule of docs/architecture.md, read from the source with `ast`.

Pipeline order: fetch -> parse -> transform -> validate -> load. A stage package imports only
itself, earlier stage packages and third-party libraries: never a later stage, never the
orchestration (`flows` outside `flows.fetch`), never `reviewhouse`. The orchestration
(`flows`) may import every stage, never `reviewhouse`. `reviewhouse` may import anything.

Every import statement counts, wherever it stands: at the top, inside a function, under
`if TYPE_CHECKING:`. A lazy import is still a dependency. `flows/__init__.py` runs whenever
`flows.fetch` is imported, so it is held to the fetch stage's rule.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The stage packages, in pipeline order: each may import only those before it.
STAGES: tuple[tuple[str, str], ...] = (
    ("fetch", "flows.fetch"),
    ("parse", "parsers"),
    ("transform", "transforms"),
    ("validate", "expectations"),
    ("load", "warehouse"),
)
ORCHESTRATION = "flows"
TOP = "reviewhouse"
PACKAGES = (*(package for _, package in STAGES), ORCHESTRATION, TOP)
# Package modules that every import of a stage inside them runs: held to that stage's rule.
ENCLOSING = {"flows": "flows.fetch"}

# Imports that break the rule today, each (importing module, imported module) with the
# reason it is still here. Every entry is debt: remove it with the import it names (the
# test below fails while an entry names an import that is gone).
# Imports against the rule that cannot go yet, each with its reason: none today.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}


class Violation(NamedTuple):
    importer: str
    imported: str
    rule: str


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the project's packages, by dotted name (a package by its name)."""
    found = {}
    for package in {name.split(".")[0] for name in PACKAGES}:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def layer_of(module: str) -> str | None:
    """The package a module belongs to: its longest prefix among `PACKAGES`."""
    if module in ENCLOSING:
        return ENCLOSING[module]
    owners = [p for p in PACKAGES if module == p or module.startswith(f"{p}.")]
    return max(owners, key=len) if owners else None


def imported_by(module: str, path: Path, known: set[str]) -> Iterator[str]:
    """The project modules `module` imports, wherever in the file the import stands.

    `from package import name` imports `package.name` when that is a module, else `package`.
    """
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield from _known_prefix(alias.name, known)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, is_package, node.module, node.level)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield from _known_prefix(candidate if candidate in known else base, known)


def _absolute(module: str, is_package: bool, name: str | None, level: int) -> str:
    if level == 0:
        return name or ""
    parts = module.split(".")
    anchor = parts if is_package else parts[:-1]
    anchor = anchor[: len(anchor) - (level - 1)]
    return ".".join([*anchor, name] if name else anchor)


def _known_prefix(name: str, known: set[str]) -> Iterator[str]:
    """`name`, or the longest project module it lies in; nothing for a third-party name."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if (prefix := ".".join(parts[:end])) in known:
            yield prefix
            return


def violations(root: Path = ROOT) -> set[Violation]:
    modules = project_modules(root)
    known = set(modules)
    order = {package: position for position, (_, package) in enumerate(STAGES)}
    stage_names = dict((package, stage) for stage, package in STAGES)
    found = set()
    for module, path in modules.items():
        importer = layer_of(module)
        if importer == TOP or importer is None:
            continue
        for imported in imported_by(module, path, known):
            target = layer_of(imported)
            if target is None or target == importer:
                continue
            if target == TOP:
                rule = f"{importer} imports the top layer ({TOP})"
            elif importer == ORCHESTRATION:
                continue  # the orchestration may import every stage
            elif target == ORCHESTRATION:
                rule = f"the {stage_names[importer]} stage imports the orchestration"
            elif order[target] > order[importer]:
                rule = (
                    f"the {stage_names[importer]} stage imports a later stage "
                    f"({stage_names[target]})"
                )
            else:
                continue
            found.add(Violation(module, imported, rule))
    return found


def test_no_stage_imports_a_later_stage_the_orchestration_or_the_top_layer():
    found = {v for v in violations() if (v.importer, v.imported) not in KNOWN_EXCEPTIONS}
    listed = "\n".join(f"  {v.importer} -> {v.imported}: {v.rule}" for v in sorted(found))
    assert not found, f"imports against docs/architecture.md:\n{listed}"


def test_every_known_exception_is_still_an_import_in_the_code():
    found = {(v.importer, v.imported) for v in violations()}
    gone = sorted(set(KNOWN_EXCEPTIONS) - found)
    assert not gone, f"remove from KNOWN_EXCEPTIONS, these imports are gone: {gone}"


def write(root: Path, module: str, source: str) -> None:
    path = root.joinpath(*module.split(".")).with_suffix(".py")
    path.parent.mkdir(parents=True, exist_ok=True)
    for parent in path.relative_to(root).parents:
        if parent != Path():
            (root / parent / "__init__.py").touch()
    path.write_text(source)


def test_the_check_sees_late_relative_and_guarded_imports(tmp_path):
    write(tmp_path, "parsers.base", "")
    write(tmp_path, "transforms.keys", "")
    write(tmp_path, "warehouse.db", "")
    write(tmp_path, "flows.pages", "")
    write(tmp_path, "flows.fetch.store", "")
    write(tmp_path, "reviewhouse.settings", "")
    write(
        tmp_path,
        "parsers.detect",
        "from . import base\n"  # itself: allowed
        "from flows.fetch import store\n"  # an earlier stage: allowed
        "def late():\n    from transforms import keys\n"  # a later stage, in a function
        "if False:\n    import flows.pages\n",  # the orchestration, guarded
    )
    write(tmp_path, "flows.ingest", "import warehouse.db\nfrom reviewhouse.settings import x\n")
    (tmp_path / "flows" / "__init__.py").write_text("from flows.pages import y\n")
    write(tmp_path, "reviewhouse.cli", "import flows.pages\n")  # the top may import anything
    assert {(v.importer, v.imported) for v in violations(tmp_path)} == {
        ("parsers.detect", "transforms.keys"),
        ("parsers.detect", "flows.pages"),
        ("flows.ingest", "reviewhouse.settings"),
        ("flows", "flows.pages"),  # run by every import of flows.fetch
    }


def modules_loaded_by(package: str) -> set[str]:
    """The top-level modules a fresh interpreter holds after importing all of `package`."""
    script = (
        "import importlib, pkgutil, sys\n"
        f"package = importlib.import_module({package!r})\n"
        "for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "    importlib.import_module(info.name)\n"
        "print('\\n'.join(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("package", ["parsers", "transforms"])
def test_the_pure_stages_load_neither_prefect_nor_duckdb(package):
    assert modules_loaded_by(package).isdisjoint({"prefect", "duckdb"})
