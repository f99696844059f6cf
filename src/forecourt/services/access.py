"""API keys for the REST API and CLI: created once, stored hashed, checked per request."""

from __future__ import annotations

import hmac

from forecourt.domain.errors import InvalidInput
from forecourt.ports.repositories import ApiKey
from forecourt.services.context import ServiceContext
from forecourt.services.credentials import api_key_prefix, hash_api_key, new_api_key
from forecourt.services.roles import Role as Role  # its own module: the CLI's options use it

_RANK = {Role.VIEWER: 0, Role.ATTENDANT: 1, Role.TECHNICIAN: 2, Role.OPERATOR: 3, Role.ADMIN: 4}


def role_allows(role: Role, needed: Role) -> bool:
    return _RANK[role] >= _RANK[needed]


#: Token values (card UIDs, eMAIDs, MACs) are personal data. Roles from this one up see them
#: in full; the others see the last 4 characters, on the dashboard and in the API alike.
SEES_FULL_TOKENS = Role.TECHNICIAN


def sees_full_tokens(role: Role | None) -> bool:
    return role is not None and role_allows(role, SEES_FULL_TOKENS)


def mask_token(value: str) -> str:
    return "••••" + value[-4:]


def shown_token(value: str | None, role: Role | None) -> str | None:
    """``value`` as ``role`` may see it."""
    if not value or sees_full_tokens(role):
        return value
    return mask_token(value)


class ApiKeys:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def create(self, name: str, role: Role = Role.ADMIN) -> tuple[str, ApiKey]:
        if not name.strip():
            raise InvalidInput("an API key needs a name")
        key, prefix, key_hash = new_api_key()
        async with self._ctx.uow() as uow:
            record = await uow.api_keys.add(
                name, prefix, key_hash, role.value, self._ctx.clock.now()
            )
            await uow.commit()
        return key, record

    async def verify(self, key: str) -> ApiKey | None:
        prefix = api_key_prefix(key)
        if prefix is None:
            return None
        expected = hash_api_key(key)
        async with self._ctx.uow() as uow:
            candidates = await uow.api_keys.by_prefix(prefix)
        return next(
            (c for c in candidates if not c.revoked and hmac.compare_digest(c.key_hash, expected)),
            None,
        )

    async def list(self) -> list[ApiKey]:
        async with self._ctx.uow() as uow:
            return await uow.api_keys.list()

    async def revoke(self, key_id: int) -> bool:
        async with self._ctx.uow() as uow:
            done = await uow.api_keys.revoke(key_id)
            await uow.commit()
        return done
