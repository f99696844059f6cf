"""Migrated SQLite databases for tests: migrate once per session, copy per test."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from forecourt.bootstrap import open_database


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_template(directory: Path) -> Path:
    """A database file at the newest schema (closed, so no WAL is left beside it)."""
    path = directory / "template.db"

    async def migrate() -> None:
        database = open_database(sqlite_url(path))
        await database.migrate()
        await database.dispose()

    asyncio.run(migrate())
    return path


def fresh_copy(template: Path, directory: Path, name: str = "forecourt.db") -> str:
    """The URL of a new database, a copy of ``template``."""
    target = directory / name
    shutil.copyfile(template, target)
    return sqlite_url(target)
