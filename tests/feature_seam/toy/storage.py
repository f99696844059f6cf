"""The toy's table (on the shared metadata) and its repository."""

from __future__ import annotations

from sqlalchemy import Column, Integer, Table, Text, insert, select

from forecourt.storage.context import DbContext
from forecourt.storage.tables import metadata

notes = Table(
    "toy_notes",
    metadata,
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
