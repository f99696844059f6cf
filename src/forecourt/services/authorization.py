"""Authorising id tokens (OCPP C01, 1.6 Authorize): one rule for every protocol version."""

from __future__ import annotations

from forecourt.domain.contracts import ContractStatus, refused_by_contract
from forecourt.domain.tokens import (
    AuthorizationResult,
    AuthorizationStatus,
    IdToken,
    TokenKind,
    TokenRecord,
    evaluate_token,
)
from forecourt.ports.repositories import UnitOfWork
from forecourt.services.context import ServiceContext
from forecourt.services.reservations import reserved_for_other


async def authorize_in(
    uow: UnitOfWork,
    token: IdToken,
    ctx: ServiceContext,
    *,
    exclude_tx: int | None = None,
    at: tuple[str, int] | None = None,
) -> AuthorizationResult:
    """Evaluate a token inside an open unit of work (so a start sees its own writes);
    ``at``: the (station, EVSE) it is to charge at, checked against reservations."""
    if token.kind is TokenKind.NO_AUTHORIZATION:
        return evaluate_token(_free_vend(token), ctx.clock.now(), active_elsewhere=False)
    record = await uow.tokens.get(token.value) or await _issued_elsewhere(uow, token, ctx)
    members = [token.value]
    if record is not None and record.group:
        members = await uow.tokens.group_members(record.group) or members
    active = [t for t in await uow.transactions.active_for_tokens(members) if t.id != exclude_tx]
    now = ctx.clock.now()
    group = record.group if record is not None else None
    reserved = at is not None and await reserved_for_other(uow, *at, token.value, group, now)
    return evaluate_token(record, now, active_elsewhere=bool(active), reserved_for_other=reserved)


async def _issued_elsewhere(
    uow: UnitOfWork, token: IdToken, ctx: ServiceContext
) -> TokenRecord | None:
    # Not ours: a roaming partner may have issued it (ports/token_authority.py).
    authority = ctx.token_authority()
    return None if authority is None else await authority.known(uow, token)


async def _asked_elsewhere(token: IdToken, ctx: ServiceContext) -> bool:
    authority = ctx.token_authority()
    return authority is not None and await authority.ask(token)


def _free_vend(token: IdToken) -> TokenRecord:
    # Free-vend stations (2.0.1 NoAuthorization) need no token record and may run in parallel.
    return TokenRecord(token.value, token.kind, allow_concurrent=True)


class Authorization:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def authorize(
        self, station_id: str, token: IdToken, contract: ContractStatus | None = None
    ) -> AuthorizationResult:
        """``contract``: the verdict on a Plug & Charge contract certificate, when one was
        presented; a failed one answers before the token (an eMAID) is looked at. A token
        nobody here knows may be known to its issuer (roaming): asked, then evaluated again."""
        result = None if contract is None else refused_by_contract(contract)
        if result is None:
            result = await self._evaluate(token)
            if result.status is AuthorizationStatus.UNKNOWN and await _asked_elsewhere(
                token, self._ctx
            ):
                result = await self._evaluate(token)  # its issuer answered: evaluate again
        # A decision changes nothing stored, so its event gets a unit of work of its own
        # (after the evaluation: never held open across a roaming partner's answer).
        await self._ctx.notify(
            "token.authorized", station_id, token=token.value, status=result.status.value
        )
        return result

    async def _evaluate(self, token: IdToken) -> AuthorizationResult:
        async with self._ctx.uow() as uow:
            return await authorize_in(uow, token, self._ctx)
