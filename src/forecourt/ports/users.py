"""Dashboard users: who may sign in to the operator dashboard, with which role and sites."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    password_hash: str
    role: str  # a ``services.access.Role`` value; unknown values grant nothing
    site_ids: tuple[str, ...] = ()  # empty: the whole network; else only these sites
    created_at: datetime | None = None
    disabled: bool = False


class UserRepository(Protocol):
    async def add(
        self,
        username: str,
        password_hash: str,
        role: str,
        site_ids: tuple[str, ...],
        at: datetime,
    ) -> User: ...  # assigns id; Conflict on a duplicate username
    async def get(self, user_id: int) -> User | None: ...
    async def by_username(self, username: str) -> User | None: ...
    async def list(self) -> builtins.list[User]: ...  # by username
    async def save(self, user: User) -> None: ...  # NotFound for an unknown id
