"""The credentials handshake both ways, both versions, against the spec-written eMSP."""

from __future__ import annotations

import httpx
import pytest

from forecourt.ocpi.domain.parties import PartyState, Role
from tests.ocpi import spec
from tests.ocpi.conftest import add_site, registered, roaming
from tests.ocpi.emsp import running_emsp, token_header
from tests.support.server import RunningServer


@pytest.mark.parametrize("version", ["2.2.1", "2.3.0"])
async def test_emsp_registers_with_our_token_a(server: RunningServer, version: str) -> None:
    async with running_emsp([version]) as emsp:
        party = await registered(server, emsp)
        await add_site(server.forecourt.services, "SITE-1", "CS-1")

        assert party.state is PartyState.REGISTERED
        assert party.version is not None
        assert party.version.value == version
        assert party.roles[0].role is Role.EMSP
        assert str(party.roles[0].ref) == "NL-EMS"
        assert set(party.endpoints) == {
            "credentials",
            "locations",
            "tariffs",
            "tokens",
            "sessions",
            "cdrs",
        }
        answer = await emsp.call("GET", emsp.cpo_endpoints["locations"])
        assert answer.status_code == 200
        assert answer.json()["status_code"] == 1000
        for location in answer.json()["data"]:
            spec.check(spec.location(version), location)


async def test_token_a_stops_working_after_registration(server: RunningServer) -> None:
    credentials = roaming(server.forecourt.services).credentials
    party = await credentials.add_party("Test eMSP")
    async with running_emsp(["2.2.1"]) as emsp:
        await emsp.register_with(f"{server.http_url}/ocpi/versions", party.token_in)
        async with httpx.AsyncClient() as client:
            old = await client.get(
                f"{server.http_url}/ocpi/versions", headers=token_header(party.token_in)
            )
    assert old.status_code == 401
    assert old.json()["status_code"] == 2001


async def test_we_register_with_the_emsp_and_unregister(server: RunningServer) -> None:
    credentials = roaming(server.forecourt.services).credentials
    async with running_emsp(["2.2.1", "2.3.0"]) as emsp:
        emsp.accepted = {emsp.token_a}
        party = await credentials.add_party("Partner")
        party = await credentials.register(party.id, f"{emsp.base}/versions", emsp.token_a)

        assert party.state is PartyState.REGISTERED
        assert party.version is not None
        assert party.version.value == "2.3.0"
        assert emsp.token_a not in emsp.accepted  # the eMSP swapped its A for a C
        answer = await emsp.call("GET", f"{server.http_url}/ocpi/2.3.0/locations")
        assert answer.json()["status_code"] == 1000  # with the token B we gave it

        await credentials.unregister(party.id)
        assert emsp.accepted == set()  # it received our DELETE
        refused = await emsp.call("GET", f"{server.http_url}/ocpi/2.3.0/locations")
        assert refused.status_code == 401


async def test_the_emsp_unregisters(server: RunningServer) -> None:
    async with running_emsp(["2.3.0"]) as emsp:
        party = await registered(server, emsp)
        gone = await emsp.call("DELETE", emsp.cpo_endpoints["credentials"])
        assert gone.json()["status_code"] == 1000
        again = await emsp.call("GET", emsp.cpo_endpoints["locations"])
        assert again.status_code == 401
    stored = await roaming(server.forecourt.services).credentials.party(party.id)
    assert stored.state is PartyState.UNREGISTERED
