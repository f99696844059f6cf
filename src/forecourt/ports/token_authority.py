"""Tokens someone else issues (roaming eMSPs): a feature offers them, the authorization rule asks.

When a token is not in our own token table, ``authorize_in`` asks the :data:`TOKEN_AUTHORITY`
port (OCPI offers it) for a :class:`~forecourt.domain.tokens.TokenRecord`. The port only says
what the issuer knows about the token (valid, blocked, expired); ``evaluate_token`` still
decides, so there is one rule. Two steps, because a unit of work holds the database (SQLite's
single writer) and must never wait on the network: ``known`` answers inside the unit of work
from what is already here; ``ask`` goes to the issuer outside any, and the caller evaluates again.
"""

from __future__ import annotations

from typing import Protocol

from forecourt.domain.tokens import IdToken, TokenRecord
from forecourt.ports.keys import Key
from forecourt.ports.repositories import UnitOfWork


class TokenAuthority(Protocol):
    async def known(self, uow: UnitOfWork, token: IdToken) -> TokenRecord | None: ...

    # ^ without the network: a recent answer, or a pushed copy that may decide alone

    async def ask(self, token: IdToken) -> bool: ...

    # ^ asks the issuer in real time (no unit of work open); True: ``known`` now answers


#: The port a roaming feature offers (``Feature.offers``) and the authorization rule asks.
TOKEN_AUTHORITY: Key[TokenAuthority] = Key("token_authority")
