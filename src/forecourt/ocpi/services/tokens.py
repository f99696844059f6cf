"""Tokens (mod_tokens §12), CPO side: the eMSPs push their tokens to us, and we ask them in real
time about a token we cannot decide alone (``POST {token_uid}/authorize``).

This is the :data:`~forecourt.ports.token_authority.TOKEN_AUTHORITY` the core's one
authorization rule asks when a token is not in our own table. It only reports what the issuer
says (as a ``TokenRecord``); ``evaluate_token`` decides. Whitelist types (§12.4.4) say when the
pushed copy may answer: ALWAYS without asking; ALLOWED and ALLOWED_OFFLINE when the eMSP cannot
be reached; NEVER not at all. Answers are cached briefly, since a station asks again at start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from forecourt.domain.tokens import IdToken, TokenRecord
from forecourt.ocpi.domain.parties import Party, PartyRef, PartyState, Role
from forecourt.ocpi.domain.status import StatusCode, invalid
from forecourt.ocpi.domain.tokens import (
    Allowed,
    RoamingToken,
    TokenType,
    copy_says,
    record_of,
    type_for,
)
from forecourt.ocpi.ports import OCPI_STORE, OCPI_TOKENS, OcpiClient
from forecourt.ports.repositories import UnitOfWork
from forecourt.services.context import ServiceContext

log = logging.getLogger(__name__)

#: How many real-time answers' tokens are remembered (whose session a uid starts).
_ANSWERS_KEPT = 10_000

#: An AuthorizationInfo's ``allowed`` and token, or None when the body is not one.
AnswerParser = Callable[[Any], tuple[Allowed, RoamingToken] | None]


class RoamingTokens:
    def __init__(
        self,
        ctx: ServiceContext,
        client: OcpiClient,
        parse_answer: AnswerParser,
        cache_s: float = 60.0,
    ) -> None:
        self._ctx = ctx
        self._client = client
        self._parse_answer = parse_answer
        self.cache_s = cache_s
        self._cache: dict[str, tuple[datetime, TokenRecord]] = {}
        self.asked = 0  # real-time authorizations sent (metrics, tests)
        #: The token each real-time answer named (whose session it is: ``issuer``).
        self._answered: dict[str, RoamingToken] = {}

    # -- receiver interface (the eMSP pushes) ------------------------------------------------
    async def put(self, party: Party, token: RoamingToken) -> None:
        _check_owner(party, token.country_code, token.party_id)
        async with self._ctx.uow() as uow:
            await uow.repository(OCPI_TOKENS).put_token(token)
            await uow.commit()
        self._cache.pop(token.uid, None)  # the next authorization sees the change

    async def get(
        self, party: Party, country_code: str, party_id: str, uid: str, token_type: TokenType
    ) -> RoamingToken | None:
        _check_owner(party, country_code, party_id)
        async with self._ctx.uow() as uow:
            return await uow.repository(OCPI_TOKENS).token(country_code, party_id, uid, token_type)

    def vouch(self, token: RoamingToken) -> None:
        """The eMSP asked us to start a session with this token: it is allowed for a while."""
        now = self._ctx.clock.now()
        record = record_of(token, Allowed.ALLOWED, now)
        self._cache[token.uid] = (now + timedelta(seconds=self.cache_s), record)

    async def listing(self, limit: int = 500) -> list[RoamingToken]:
        """What the eMSPs pushed, newest first (operator's view: CLI)."""
        async with self._ctx.uow() as uow:
            return await uow.repository(OCPI_TOKENS).all_tokens(limit)

    async def issuer(self, uid: str) -> tuple[RoamingToken, bool] | None:
        """The eMSP's token behind a uid our rule accepted, and whether the eMSP was asked in
        real time (True) or its pushed copy decided (False); None: not a roaming token."""
        if uid in self._answered:
            return self._answered[uid], True
        async with self._ctx.uow() as uow:
            copies = await uow.repository(OCPI_TOKENS).tokens_with_uid(uid)
        return (copies[0], False) if copies else None

    # -- the core's token authority (ports/token_authority.py) -----------------------------
    async def known(self, uow: UnitOfWork, token: IdToken) -> TokenRecord | None:
        """Inside the caller's unit of work, no network: a recent answer, or a copy whose
        whitelist lets it decide alone (ALWAYS)."""
        now = self._ctx.clock.now()
        cached = self._cache.get(token.value)
        if cached is not None and cached[0] > now:
            return cached[1]
        copies = await uow.repository(OCPI_TOKENS).tokens_with_uid(token.value)
        copy = _pick(copies, type_for(token.kind))
        if copy is not None and not copy.whitelist.asks_first:
            return record_of(copy, copy_says(copy), now)
        return None

    async def ask(self, token: IdToken) -> bool:
        """Real-time authorization at the eMSP (no unit of work open); the answer is cached."""
        now = self._ctx.clock.now()
        record = await self._decide(token, type_for(token.kind), now)
        if record is not None:
            self._cache[token.value] = (now + timedelta(seconds=self.cache_s), record)
        return record is not None

    async def _decide(self, token: IdToken, kind: TokenType, now: datetime) -> TokenRecord | None:
        copy, parties = await self._copy_and_parties(token.value, kind)
        owners = [p for p in parties if copy is None or _owns(p, copy.country_code, copy.party_id)]
        reached = False
        for party in owners:
            answer, reachable = await self._ask(party, token.value, kind)
            reached = reached or reachable
            if answer is not None:
                if len(self._answered) >= _ANSWERS_KEPT:
                    del self._answered[next(iter(self._answered))]  # the oldest
                self._answered[token.value] = answer[1]
                return record_of(answer[1], answer[0], now)
        if copy is None:
            return None  # no eMSP knows it: UNKNOWN
        if not reached and copy.whitelist.copy_when_unreachable:
            return record_of(copy, copy_says(copy), now)
        return record_of(copy, Allowed.NOT_ALLOWED, now)

    async def _copy_and_parties(
        self, uid: str, kind: TokenType
    ) -> tuple[RoamingToken | None, list[Party]]:
        async with self._ctx.uow() as uow:
            copies = await uow.repository(OCPI_TOKENS).tokens_with_uid(uid)
            parties = await uow.repository(OCPI_STORE).parties()
        copy = _pick(copies, kind)
        asked = [p for p in parties if p.state is PartyState.REGISTERED and "tokens" in p.endpoints]
        return copy, asked

    async def _ask(
        self, party: Party, uid: str, kind: TokenType
    ) -> tuple[tuple[Allowed, RoamingToken] | None, bool]:
        """(the answer, whether the eMSP was reachable) for ``POST {uid}/authorize``."""
        url = f"{party.endpoints['tokens'].rstrip('/')}/{quote(uid, safe='')}/authorize?type={kind}"
        self.asked += 1
        try:
            reply = await self._client.call("POST", url, party.token_out)
        except ConnectionError as exc:
            log.warning("real-time authorization at %s failed: %s", party.name, exc)
            return None, False
        if reply.status_code == StatusCode.UNKNOWN_TOKEN or reply.http_status >= 500:
            return None, reply.http_status < 500
        return self._parse_answer(reply.data), True


def _pick(copies: list[RoamingToken], kind: TokenType) -> RoamingToken | None:
    return next((c for c in copies if c.type is kind), copies[0] if copies else None)


def owner(parties: list[Party], country_code: str, party_id: str) -> Party | None:
    """The registered party a token belongs to: the party itself, else a hub for it."""
    ref = PartyRef(country_code, party_id)
    live = [p for p in parties if p.state is PartyState.REGISTERED]
    exact = next((p for p in live if any(r.ref == ref for r in p.roles)), None)
    return exact or next((p for p in live if _owns(p, country_code, party_id)), None)


def _owns(party: Party, country_code: str, party_id: str) -> bool:
    ref = PartyRef(country_code, party_id)
    return any(r.ref == ref or r.role is Role.HUB for r in party.roles)


def _check_owner(party: Party, country_code: str, party_id: str) -> None:
    # A party pushes and reads only its own tokens (a hub: those of the parties behind it).
    if not _owns(party, country_code, party_id):
        raise invalid(f"{country_code}-{party_id} is not a party of these credentials")
