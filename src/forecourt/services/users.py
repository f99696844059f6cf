"""Dashboard users: created by an admin (CLI), signed in with a password, scoped to sites.

Rules: usernames are case-insensitive; admins see the whole network; any other role may be
limited to some sites (site hosts are viewers limited to their own sites) and then sees only
those sites' stations, sessions and events.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache

from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.ports.users import User
from forecourt.services.access import Role, role_allows
from forecourt.services.context import ServiceContext
from forecourt.services.credentials import hash_password, verify_password_off_loop

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256

#: Failed sign-ins tolerated per username within the window before sign-in is refused.
MAX_FAILURES = 10
FAILURE_WINDOW = timedelta(minutes=15)
_MAX_TRACKED_NAMES = 10_000


@dataclass(frozen=True, slots=True)
class UserAccess:
    """What one signed-in user may see and do."""

    username: str
    role: Role | None  # None: a role this version does not know, which grants nothing
    site_ids: frozenset[str] = frozenset()

    @classmethod
    def of(cls, user: User) -> UserAccess:
        try:
            role: Role | None = Role(user.role)
        except ValueError:
            role = None
        return cls(user.username, role, frozenset(user.site_ids))

    @property
    def restricted(self) -> bool:
        """Limited to some sites (site hosts, contractors)."""
        return bool(self.site_ids)

    def allows(self, needed: Role) -> bool:
        return self.role is not None and role_allows(self.role, needed)

    def sees_site(self, site_id: str | None) -> bool:
        """Stations without a site are visible to whole-network users only."""
        return not self.restricted or (site_id is not None and site_id in self.site_ids)


class Users:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._failures: dict[str, deque[datetime]] = defaultdict(deque)

    async def create(
        self,
        username: str,
        password: str,
        role: Role,
        site_ids: Iterable[str] = (),
    ) -> User:
        name = normalise_username(username)
        _check_password(password)
        sites = tuple(dict.fromkeys(s.strip() for s in site_ids if s.strip()))
        if role is Role.ADMIN and sites:
            raise InvalidInput("an admin manages the whole network: give no sites")
        async with self._ctx.uow() as uow:
            for site_id in sites:
                if await uow.sites.get(site_id) is None:
                    raise NotFound("site", site_id)
            user = await uow.users.add(
                name, hash_password(password), role.value, sites, self._ctx.clock.now()
            )
            await uow.commit()
        return user

    async def authenticate(self, username: str, password: str) -> User | None:
        """The user when the password is right and the account active; else None.

        Unknown users cost one password check too, so timing does not reveal who exists.
        """
        name = username.strip().lower()
        if self._throttled(name):
            return None
        async with self._ctx.uow() as uow:
            user = await uow.users.by_username(name)
        stored = user.password_hash if user is not None else _decoy_hash()
        # off the event loop: a burst of sign-in attempts must not stall the stations
        if (
            await verify_password_off_loop(password, stored)
            and user is not None
            and not user.disabled
        ):
            self._failures.pop(name, None)
            return user
        self._record_failure(name)
        return None

    def throttled(self, username: str) -> bool:
        """Too many recent failures: sign-in for this name is refused for a while."""
        return self._throttled(username.strip().lower())

    async def get(self, user_id: int) -> User | None:
        async with self._ctx.uow() as uow:
            return await uow.users.get(user_id)

    async def list(self) -> list[User]:
        async with self._ctx.uow() as uow:
            return await uow.users.list()

    async def set_password(self, username: str, password: str) -> User:
        """Also ends the user's dashboard sessions (they are bound to the password hash)."""
        _check_password(password)
        new_hash = hash_password(password)
        return await self._change(username, lambda user: replace(user, password_hash=new_hash))

    async def set_disabled(self, username: str, disabled: bool) -> User:
        return await self._change(username, lambda user: replace(user, disabled=disabled))

    async def _change(self, username: str, change: Callable[[User], User]) -> User:
        async with self._ctx.uow() as uow:
            user = await uow.users.by_username(username.strip().lower())
            if user is None:
                raise NotFound("user", username)
            user = change(user)
            await uow.users.save(user)
            await uow.commit()
        return user

    def _record_failure(self, name: str) -> None:
        if len(self._failures) >= _MAX_TRACKED_NAMES:  # guessed names must not fill memory
            self._failures.clear()
        self._failures[name].append(self._ctx.clock.now())

    def _throttled(self, name: str) -> bool:
        recent = self._failures.get(name)
        if not recent:
            return False
        horizon = self._ctx.clock.now() - FAILURE_WINDOW
        while recent and recent[0] < horizon:
            recent.popleft()
        return len(recent) >= MAX_FAILURES


def normalise_username(username: str) -> str:
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise InvalidInput(
            "a username is 1-64 characters: letters, digits, '.', '_', '@' or '-'"
            " (starting with a letter or digit)"
        )
    return name


def _check_password(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"a password is {MIN_PASSWORD_LENGTH}-{MAX_PASSWORD_LENGTH} characters long"
        )


@cache
def _decoy_hash() -> str:
    return hash_password(secrets.token_hex(16))
