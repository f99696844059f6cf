"""Which schema revisions this Forecourt ships and which a database holds, without Alembic.

Every database command checks the schema before it runs; importing Alembic's script and
migration machinery for that check took a quarter of the command's start-up. The migration
files name their ``revision`` and ``down_revision`` as literals, so reading them suffices;
a test keeps this answer equal to Alembic's.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Connection

VERSIONS_DIR = Path(__file__).with_name("migrations") / "versions"  # the core's
VERSION_TABLE = "alembic_version"  # Alembic's default, which migrations/env.py keeps


def packaged_heads(locations: tuple[Path, ...] = (VERSIONS_DIR,)) -> set[str]:
    """The newest revision of each branch of the migrations in ``locations`` (the core's
    and each installed feature's: ``Database.extensions.version_locations``)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (found for versions in locations for found in versions.glob("*.py")):
        names = _literals(script)
        if "revision" not in names:
            continue  # e.g. __init__.py
        revisions.add(str(names["revision"]))
        down = names.get("down_revision")
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple | list):  # a merge revision names several parents
            parents.update(str(parent) for parent in down)
    return revisions - parents


def _literals(script: Path) -> dict[str, object]:
    """The module-level ``name = literal`` (or ``name: type = literal``) assignments."""
    found: dict[str, object] = {}
    for node in ast.parse(script.read_text(encoding="utf-8")).body:
        targets: list[ast.expr]
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        elif isinstance(node, ast.Assign):
            targets, value = list(node.targets), node.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                found[target.id] = ast.literal_eval(value)
    return found


def stored_heads(connection: Connection) -> set[str]:
    """The revisions the database is at (none when it has no Forecourt schema)."""
    from sqlalchemy import inspect, text

    if not inspect(connection).has_table(VERSION_TABLE):
        return set()
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
    return {row[0] for row in rows}
