"""The toy's table and its repository.

The table is on a metadata of its own: a real feature's tables join the shared metadata, but
this one is installed only by its own test, and the other tests' clean-ups and schema
comparisons must not see it."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table, Text, insert, select

from forecourt.storage.context import DbContext

notes = Table(
    "toy_notes",
    MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("text", Text, nullable=False),
)


class SqlNotes:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add(self, text: str) -> None:
        await self._db.connection.execute(insert(notes).values(text=text))

    async def all(self) -> list[str]:
        rows = await self._db.connection.execute(select(notes.c.text).order_by(notes.c.id))
        return [row.text for row in rows]
