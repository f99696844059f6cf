"""The credentials module and handshake (credentials §7): register, update, unregister.

Both directions: a peer that got our token A registers with us (``POST``), or the operator
registers us with a peer that gave us its token A (``register``). One rule for both: fetch the
peer's versions with the token we call it with, pick the newest common version, keep its
endpoints, and swap the token it calls us with for a fresh one.
"""

from __future__ import annotations

from typing import Any

from forecourt.ocpi.domain.parties import (
    Party,
    PartyState,
    PeerCredentials,
    Us,
    new_token,
)
from forecourt.ocpi.domain.status import (
    OcpiError,
    StatusCode,
    method_not_allowed,
    unauthorized,
)
from forecourt.ocpi.domain.versions import Version, best_common
from forecourt.ocpi.ports import OCPI_STORE, Codec, OcpiClient, Reply
from forecourt.services.context import ServiceContext


class Credentials:
    def __init__(self, ctx: ServiceContext, client: OcpiClient, codec: Codec, us: Us) -> None:
        self._ctx = ctx
        self._client = client
        self._codec = codec
        self.us = us

    # -- operator side -----------------------------------------------------------------------
    async def add_party(self, name: str) -> Party:
        """A new peer with a fresh token A to hand over out of band."""
        party = Party(0, name, PartyState.PENDING, new_token(), created_at=self._ctx.clock.now())
        async with self._ctx.uow() as uow:
            party = await uow.repository(OCPI_STORE).add_party(party)
            await uow.commit()
        return party

    async def register(self, party_id: int, versions_url: str, their_token_a: str) -> Party:
        """We register with a peer: it gave us its token A and versions URL."""
        party = await self.party(party_id)
        version, endpoints = await self._discover(versions_url, their_token_a)
        token_b = new_token()  # the peer will call us with this
        body = self._codec.credentials(version, self.us, token_b)
        reply = await self._call("POST", endpoints["credentials"], their_token_a, body)
        if reply.status_code != StatusCode.SUCCESS:
            raise _unusable(f"the other party refused: {reply.message}")
        theirs = self._codec.parse_credentials(version, reply.data)
        return await self._store_registration(party, token_b, theirs, version, endpoints)

    async def unregister(self, party_id: int) -> Party:
        """We end the relation: DELETE on their credentials, then forget their tokens."""
        party = await self.party(party_id)
        url = party.endpoints.get("credentials")
        if party.state is PartyState.REGISTERED and url:
            await self._call("DELETE", url, party.token_out)
        return await self._save(party.unregistered())

    async def party(self, party_id: int) -> Party:
        async with self._ctx.uow() as uow:
            party = await uow.repository(OCPI_STORE).party(party_id)
        if party is None:
            raise OcpiError(StatusCode.CLIENT_ERROR, f"no OCPI party {party_id}", 404)
        return party

    async def parties(self) -> list[Party]:
        async with self._ctx.uow() as uow:
            return await uow.repository(OCPI_STORE).parties()

    # -- the peer's side (our credentials endpoint) ------------------------------------------
    async def authenticate(self, token: str | None) -> Party:
        if not token:
            raise unauthorized("send `Authorization: Token <base64 token>`")
        async with self._ctx.uow() as uow:
            party = await uow.repository(OCPI_STORE).party_by_token(token)
        if party is None or party.state is PartyState.UNREGISTERED:
            raise unauthorized()
        return party

    async def accept(self, party: Party, theirs: PeerCredentials) -> str:
        """POST (first registration) or PUT (update): returns our new token C."""
        version, endpoints = await self._discover(theirs.url, theirs.token)
        token_c = new_token()
        await self._store_registration(party, token_c, theirs, version, endpoints)
        return token_c

    def check_post(self, party: Party) -> None:
        if party.state is PartyState.REGISTERED:
            raise method_not_allowed("already registered: use PUT to update")

    def check_registered(self, party: Party) -> None:
        if party.state is not PartyState.REGISTERED:
            raise method_not_allowed("not registered: use POST first")

    async def forget(self, party: Party) -> None:
        """The peer's DELETE: it ends the relation; its token no longer works."""
        await self._save(party.unregistered())

    # -- shared ---------------------------------------------------------------------------
    async def _discover(self, versions_url: str, token: str) -> tuple[Version, dict[str, str]]:
        reply = await self._call("GET", versions_url, token)
        if reply.status_code != StatusCode.SUCCESS:
            raise _unusable(f"their versions endpoint answered {reply.http_status}")
        offered = self._codec.parse_versions(reply.data)
        version = best_common(list(offered))
        if version is None:
            raise OcpiError(
                StatusCode.UNSUPPORTED_VERSION, f"no common version in {sorted(offered)}"
            )
        details = await self._call("GET", offered[version.value], token)
        if details.status_code != StatusCode.SUCCESS:
            raise _unusable(f"their version details answered {details.http_status}")
        endpoints = self._codec.parse_endpoints(version, details.data)
        if "credentials" not in endpoints:
            raise OcpiError(StatusCode.NO_MATCHING_ENDPOINTS, "they offer no credentials endpoint")
        return version, endpoints

    async def _call(
        self, method: str, url: str, token: str, body: dict[str, Any] | None = None
    ) -> Reply:
        try:
            return await self._client.call(method, url, token, body)
        except ConnectionError as exc:
            raise _unusable(f"cannot reach the other party: {exc}") from exc

    async def _store_registration(
        self,
        party: Party,
        token_in: str,
        theirs: PeerCredentials,
        version: Version,
        endpoints: dict[str, str],
    ) -> Party:
        now = self._ctx.clock.now()
        updated = party.registered(
            token_in, theirs.token, theirs.url, version, endpoints, theirs.roles, now
        )
        return await self._save(updated)

    async def _save(self, party: Party) -> Party:
        async with self._ctx.uow() as uow:
            await uow.repository(OCPI_STORE).save_party(party)
            await uow.commit()
        return party


def _unusable(message: str) -> OcpiError:
    # status 3001; HTTP 502: a server we depend on (theirs) failed, not the request
    return OcpiError(StatusCode.UNABLE_TO_USE_CLIENT_API, message, 502)
