"""Alembic environment, async-capable.

``Database.migrate()`` hands over its open connection (``config.attributes["connection"]``);
Alembic commands given a URL (see ``database.alembic_config``) open their own.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from forecourt.storage.database import Database
from forecourt.storage.tables import metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things: later revisions rebuild tables in batch mode.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_with_own_connection(url: str) -> None:
    database = Database.from_url(url)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(run_migrations)
    finally:
        await database.dispose()


def run_offline(url: str) -> None:
    context.configure(url=url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    config = context.config
    shared: Connection | None = config.attributes.get("connection")
    if shared is not None:
        run_migrations(shared)
        return
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("no connection and no sqlalchemy.url: use database.alembic_config(url)")
    if context.is_offline_mode():
        run_offline(url)
    else:
        asyncio.run(run_with_own_connection(url))


main()
