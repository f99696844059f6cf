"""Dashboard users: created by an admin (CLI), signed in with a password, scoped to sites.

Rules: usernames are case-insensitive; admins see the whole network; any other role may be
limited to some sites (site hosts are viewers limited to their own sites) and then sees only
those sites' stations, sessions and events.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import cache

from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.ports.users import User
from forecourt.services.access import Role, role_allows
from forecourt.services.context import ServiceContext
from forecourt.services.credentials import hash_password, verify_password_off_loop
from forecourt.services.throttle import BackOff, BackOffThrottle, requester_key

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256

security_log = logging.getLogger("forecourt.security")

#: One address guessing one username: 5 free tries, then 30 s, 60 s, ... up to 15 min.
#: Keyed by address too, so nobody elsewhere can lock a user out by failing on purpose.
PER_ACCOUNT = BackOff(5, timedelta(seconds=30), timedelta(minutes=15), timedelta(hours=1))
#: One address failing across usernames (password spraying): 20 free, then 1 min ... 1 h.
PER_ADDRESS = BackOff(20, timedelta(minutes=1), timedelta(hours=1), timedelta(hours=1))
#: Keys tracked per throttle; beyond that, keys not waiting are forgotten first.
MAX_TRACKED_KEYS = 50_000


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
        self.account_throttle = BackOffThrottle(ctx.clock, PER_ACCOUNT, MAX_TRACKED_KEYS)
        self.address_throttle = BackOffThrottle(ctx.clock, PER_ADDRESS, MAX_TRACKED_KEYS)

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

    async def authenticate(self, username: str, password: str, address: str = "") -> User | None:
        """The user when the password is right and the account active; else None.

        ``address`` is the requester's; while it must wait (``retry_after_s``) nothing is
        checked. Unknown users cost one password check too, so timing does not reveal who
        exists.
        """
        name, address = username.strip().lower(), requester_key(address)
        by_address = self.address_throttle.admit(address)
        if not (by_address and self.account_throttle.admit(_account_key(name, address))):
            return None
        async with self._ctx.uow() as uow:
            user = await uow.users.by_username(name)
        stored = user.password_hash if user is not None else _decoy_hash()
        # off the event loop: a burst of sign-in attempts must not stall the stations
        verified = await verify_password_off_loop(password, stored, subject=f"user:{name}")
        if verified and user is not None and not user.disabled:
            # The address's own count stays: a valid account must not reset a spray.
            self.account_throttle.succeeded(_account_key(name, address))
            return user
        self._record_failure(name, address)
        return None

    def retry_after_s(self, username: str, address: str = "") -> float:
        """Seconds this address must wait before trying ``username`` again (0: may try now)."""
        name, address = username.strip().lower(), requester_key(address)
        return max(
            self.address_throttle.wait_s(address),
            self.account_throttle.wait_s(_account_key(name, address)),
        )

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

    def _record_failure(self, name: str, address: str) -> None:
        account_wait = self.account_throttle.failed(_account_key(name, address))
        address_wait = self.address_throttle.failed(address)
        if account_wait or address_wait:
            security_log.warning(
                "sign-in throttled: address=%s username=%r waits %.0f s",
                address or "?",
                name[:64],
                max(account_wait, address_wait),
            )


def _account_key(name: str, address: str) -> str:
    return f"{address}\x00{name}"


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
