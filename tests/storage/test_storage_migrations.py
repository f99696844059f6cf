"""Migrations: idempotent, reversible, and equal to the SQLAlchemy metadata."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from forecourt.features import load_tables, storage_extensions
from forecourt.storage import Database
from forecourt.storage.database import alembic_config
from forecourt.storage.revisions import packaged_heads, stored_heads
from forecourt.storage.tables import metadata

load_tables()  # clean-ups and schema comparisons need every feature's tables

#: The core's migrations and every installed feature's branch (imports their tables too).
LOCATIONS = storage_extensions().version_locations


def _schema_diff(connection: Connection) -> list[Any]:
    differences: list[Any] = compare_metadata(MigrationContext.configure(connection), metadata)
    return differences


def _current_heads(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def _downgrade_to_base(connection: Connection) -> None:
    config = alembic_config(locations=LOCATIONS)
    config.attributes["connection"] = connection
    command.downgrade(config, "base")


async def test_migrate_is_idempotent_and_matches_the_metadata(database: Database) -> None:
    await database.migrate()
    await database.migrate()
    heads = set(ScriptDirectory.from_config(alembic_config(locations=LOCATIONS)).get_heads())
    async with database.engine.connect() as connection:
        assert await connection.run_sync(_current_heads) == heads
        assert await connection.run_sync(_schema_diff) == []


async def test_downgrade_removes_everything_and_upgrade_restores_it(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.run_sync(_downgrade_to_base)
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert set(tables) <= {"alembic_version"}
    await database.migrate()
    async with database.engine.connect() as connection:
        assert await connection.run_sync(_schema_diff) == []


async def test_the_cli_reads_the_revisions_as_alembic_does(database: Database) -> None:
    """The CLI's schema check reads the migration files and the version table itself."""
    await database.migrate()
    heads = set(ScriptDirectory.from_config(alembic_config(locations=LOCATIONS)).get_heads())

    assert packaged_heads(LOCATIONS) == heads
    async with database.engine.connect() as connection:
        assert await connection.run_sync(stored_heads) == heads
    async with database.engine.begin() as connection:
        await connection.run_sync(_downgrade_to_base)
    try:
        async with database.engine.connect() as connection:
            assert await connection.run_sync(stored_heads) == set()
            assert await connection.run_sync(_current_heads) == set()
    finally:
        await database.migrate()
