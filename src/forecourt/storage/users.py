"""Dashboard users: their table (on the shared metadata) and repository."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Integer, Row, Table, Text, select, text, update

from forecourt.domain.errors import NotFound
from forecourt.ports.users import User
from forecourt.storage.context import DbContext
from forecourt.storage.tables import metadata
from forecourt.storage.types import UtcDateTime

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", Text, nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("site_ids", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("disabled", Boolean, nullable=False, server_default=text("false")),
)


class SqlUserRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add(
        self,
        username: str,
        password_hash: str,
        role: str,
        site_ids: tuple[str, ...],
        at: datetime,
    ) -> User:
        values = {
            "username": username,
            "password_hash": password_hash,
            "role": role,
            "site_ids": list(site_ids),
            "created_at": at,
        }
        async with self._db.guarded(f"user {username!r}"):
            statement = users.insert().values(values).returning(users.c.id)
            user_id = (await self._db.execute(statement)).scalar_one()
        return User(user_id, username, password_hash, role, site_ids, at)

    async def get(self, user_id: int) -> User | None:
        row = (await self._db.execute(select(users).where(users.c.id == user_id))).first()
        return None if row is None else _user_from_row(row)

    async def by_username(self, username: str) -> User | None:
        query = select(users).where(users.c.username == username)
        row = (await self._db.execute(query)).first()
        return None if row is None else _user_from_row(row)

    async def list(self) -> builtins.list[User]:
        rows = await self._db.execute(select(users).order_by(users.c.username))
        return [_user_from_row(row) for row in rows]

    async def save(self, user: User) -> None:
        values = {
            "password_hash": user.password_hash,
            "role": user.role,
            "site_ids": list(user.site_ids),
            "disabled": user.disabled,
        }
        statement = update(users).where(users.c.id == user.id).values(values)
        if (await self._db.execute(statement)).rowcount == 0:
            raise NotFound("user", user.id)


def _user_from_row(row: Row[Any]) -> User:
    return User(
        id=row.id,
        username=row.username,
        password_hash=row.password_hash,
        role=row.role,
        site_ids=tuple(row.site_ids or ()),
        created_at=row.created_at,
        disabled=bool(row.disabled),
    )
