"""Opening the warehouse: connections, numbered migrations and views.

SQL lives in `.sql` files beside this module and runs unchanged in the duckdb shell:
`migrations/NNN_name.sql` are applied once each, in order, and recorded in
`schema_migrations`; `views/*.sql` are `CREATE OR REPLACE` and re-applied on every open, so
views always match the code that opened the warehouse.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import duckdb

# DuckDB 2.0 writes a storage format DuckDB 1.x cannot open; BI drivers and older shells
# still ship 1.x, so new warehouses are written in the 1.1 format unless told otherwise.
DEFAULT_STORAGE_VERSION = "v1.1.0"

_MIGRATION_NAME = re.compile(r"^(\d{3})_(\w+)\.sql$")
_SQL_ROOT = files("warehouse")


class WarehouseError(Exception):
    """The warehouse cannot be used as asked."""


class WarehouseTooNewError(WarehouseError):
    """The warehouse was written by a newer reviewhouse than this one."""


class WarehouseLocationError(WarehouseError, ValueError):
    """The warehouse location is not one a warehouse can be at: a usage error."""


# What a warehouse location may be, said in every WarehouseLocationError.
LOCATIONS = (
    "a warehouse is a DuckDB file path (such as data/reviewhouse.duckdb), "
    "md:<database> (MotherDuck) or ducklake:<catalog> (DuckLake)"
)
# Connection-string prefixes that name a database which outlives the run.
DATABASE_PREFIXES = ("md", "motherduck", "ducklake")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def read_sql(relative: str) -> str:
    """The text of a `.sql` file under `warehouse/`, e.g. `sql/merge_reviews.sql`."""
    return _SQL_ROOT.joinpath(relative).read_text(encoding="utf-8")


def migrations() -> list[Migration]:
    found = []
    for entry in _SQL_ROOT.joinpath("migrations").iterdir():
        if match := _MIGRATION_NAME.match(entry.name):
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda migration: migration.version)


def latest_version() -> int:
    return migrations()[-1].version


def connect(
    location: str | Path,
    *,
    read_only: bool = False,
    storage_version: str = DEFAULT_STORAGE_VERSION,
) -> duckdb.DuckDBPyConnection:
    """A connection to a warehouse file (or any DuckDB connection string such as `md:db`).

    A file that does not exist yet is created in the `storage_version` format.
    """
    location = str(location)
    config: dict[str, str] = {}
    if not read_only and is_local_file(location) and not Path(location).exists():
        Path(location).parent.mkdir(parents=True, exist_ok=True)
        config["storage_compatibility_version"] = storage_version
    return duckdb.connect(location, read_only=read_only, config=config)


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> Any:
    """The single value a query returns. Fetches every row: in DuckDB 2.0 a half-read
    result blocks the next statement on the connection."""
    rows = con.execute(sql, params).fetchall()
    return rows[0][0] if rows else None


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest migration applied to this warehouse; 0 for an empty database."""
    exists = scalar(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    )
    if not exists:
        return 0
    return int(scalar(con, "SELECT coalesce(max(version), 0) FROM schema_migrations"))


def check_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version, or `WarehouseTooNewError` if this code is older than the file."""
    version = schema_version(con)
    if version > latest_version():
        raise WarehouseTooNewError(
            f"warehouse schema version {version} is newer than this reviewhouse "
            f"(which knows up to {latest_version()}); upgrade reviewhouse to use it"
        )
    return version


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations in order, each in its own transaction, then the views."""
    current = check_version(con)
    con.execute(read_sql("sql/schema_migrations.sql"))
    applied = []
    for migration in migrations():
        if migration.version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($version, $name)",
                {"version": migration.version, "name": migration.name},
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(migration.version)
    apply_views(con)
    return applied


def apply_views(con: duckdb.DuckDBPyConnection) -> None:
    views = sorted(_SQL_ROOT.joinpath("views").iterdir(), key=lambda entry: entry.name)
    for view in views:
        if view.name.endswith(".sql"):
            con.execute(view.read_text(encoding="utf-8"))


def is_local_file(location: str) -> bool:
    """True for a path to a DuckDB file; False for `:memory:`, `md:...` and other strings."""
    return location != ":memory:" and ":" not in location.split("/")[0]


def check_location(location: str) -> None:
    """Raise `WarehouseLocationError`, in one line that says what a warehouse location may be,
    unless `location` can hold a warehouse: a path to a DuckDB file (existing, or creatable:
    no file in the way of its folder, which is writable where it exists), `md:<database>`,
    `motherduck:<database>` or `ducklake:<catalog>`. Looks only; creates nothing.
    """
    problem = _location_problem(location)
    if problem:
        raise WarehouseLocationError(f"bad warehouse location {location!r}: {problem}; {LOCATIONS}")


def _location_problem(location: str) -> str | None:
    if not location.strip():
        return "it is empty"
    if location == ":memory:":
        return "an in-memory database is gone when the run ends"
    if is_local_file(location):
        return _file_problem(location)
    prefix, _, rest = location.partition(":")
    if prefix not in DATABASE_PREFIXES:
        if not prefix.strip(":/. "):
            return "it names no file and no database"
        return (
            f"{prefix + ':'!r} is no kind of database reviewhouse knows "
            f"(for a file whose name holds ':', write ./{location})"
        )
    if prefix == "ducklake":
        if not rest.strip():
            return "ducklake: names no catalog"
        if is_local_file(rest):  # a catalog file (else another database: postgres:..., etc.)
            return _file_problem(rest)
    return None


def _file_problem(location: str) -> str | None:
    # os.path rather than Path: it answers False, not PermissionError, under a folder this
    # user may not enter
    if location.endswith(("/", os.sep)) or os.path.isdir(location):
        return "it is a folder; name a file in it"
    if os.path.exists(location):
        return None
    # the nearest folder that exists must be a folder, and one this user may create files in
    existing = Path(location).absolute().parent
    while not os.path.exists(existing) and existing != existing.parent:
        existing = existing.parent
    if not os.path.isdir(existing):
        return f"it cannot be created: {existing} is a file, not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"it cannot be created: {existing} is not writable"
    return None
