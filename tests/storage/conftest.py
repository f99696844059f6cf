"""One contract suite, two databases: every ``database`` test runs on SQLite and PostgreSQL.

PostgreSQL: a throwaway database per test session is created on the server named by
``FORECOURT_TEST_PG_URL`` (default: postgres@127.0.0.1:5432) and dropped at the end. An
unreachable server fails the PostgreSQL tests unless ``FORECOURT_SKIP_PG=1`` is set.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from forecourt.bootstrap import open_database
from forecourt.features import load_tables, storage_extensions
from forecourt.storage import Database, migrate_sync
from forecourt.storage.tables import metadata

from .factories import sqlite_url

load_tables()  # clean-ups and schema comparisons need every feature's tables

PG_ADMIN_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"


async def _run_admin(admin: URL, statement: str) -> None:
    # CREATE/DROP DATABASE cannot run inside a transaction block.
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT", connect_args={"timeout": 5})
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if os.environ.get("FORECOURT_SKIP_PG") == "1":
        pytest.skip("PostgreSQL tests skipped: FORECOURT_SKIP_PG=1")
    admin = make_url(os.environ.get("FORECOURT_TEST_PG_URL", PG_ADMIN_DEFAULT))
    admin = admin.set(drivername="postgresql+asyncpg")
    name = f"forecourt_test_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        asyncio.run(_run_admin(admin, f'CREATE DATABASE "{name}"'))
    except Exception as error:  # refused, timed out, auth failed: all mean "no server"
        pytest.fail(
            f"PostgreSQL at {admin.render_as_string()} is not usable: {error!r}. Start it, "
            "point FORECOURT_TEST_PG_URL at an admin URL, or set FORECOURT_SKIP_PG=1 to skip.",
            pytrace=False,
        )
    url = admin.set(database=name).render_as_string(hide_password=False)
    try:
        migrate_sync(url, storage_extensions())
        yield url
    finally:
        asyncio.run(_run_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "forecourt.db"
    migrate_sync(sqlite_url(path), storage_extensions())
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "forecourt.db"
        shutil.copyfile(template, path)
        return sqlite_url(path)
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A migrated, empty database."""
    db = open_database(database_url)
    if db.dialect == "postgresql":  # one database per session: empty it (DELETE beats TRUNCATE)
        async with db.engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                await connection.execute(table.delete())
    yield db
    await db.dispose()
