"""Bad input gets the OCPI status code the specification names, and nothing is stored."""

from __future__ import annotations

import httpx

from forecourt.ocpi.domain.parties import PartyState
from tests.ocpi.conftest import roaming
from tests.ocpi.emsp import running_emsp, token_header
from tests.support.server import RunningServer


async def _send(
    method: str, url: str, token: str | None, content: bytes | None = None
) -> httpx.Response:
    headers = token_header(token) if token else {}
    headers["X-Request-ID"] = "req-1"
    headers["X-Correlation-ID"] = "corr-1"
    async with httpx.AsyncClient() as client:
        return await client.request(method, url, headers=headers, content=content)


async def test_wrong_or_missing_token_is_401_with_2001(server: RunningServer) -> None:
    for token in ("not-a-token", None):
        answer = await _send("GET", f"{server.http_url}/ocpi/versions", token)
        assert answer.status_code == 401
        assert answer.json()["status_code"] == 2001
        assert answer.headers["X-Request-ID"] == "req-1"
        assert answer.headers["X-Correlation-ID"] == "corr-1"


async def test_plain_token_is_tolerated(server: RunningServer) -> None:
    party = await roaming(server.forecourt.services).credentials.add_party("p")
    async with httpx.AsyncClient() as client:
        answer = await client.get(
            f"{server.http_url}/ocpi/versions",
            headers={"Authorization": f"Token {party.token_in}"},
        )
    assert answer.json()["status_code"] == 1000


async def test_unknown_version_is_404(server: RunningServer) -> None:
    party = await roaming(server.forecourt.services).credentials.add_party("p")
    answer = await _send("GET", f"{server.http_url}/ocpi/9.9/credentials", party.token_in)
    assert answer.status_code == 404
    assert answer.json()["status_code"] == 3002


async def test_token_a_cannot_pull_locations(server: RunningServer) -> None:
    party = await roaming(server.forecourt.services).credentials.add_party("p")
    answer = await _send("GET", f"{server.http_url}/ocpi/2.2.1/locations", party.token_in)
    assert answer.status_code == 401


async def test_malformed_credentials_store_nothing(server: RunningServer) -> None:
    credentials = roaming(server.forecourt.services).credentials
    party = await credentials.add_party("p")
    url = f"{server.http_url}/ocpi/2.2.1/credentials"
    for body in (b"{not json", b'{"token": "x", "url": "http://x"}', b'{"token": " ", "url": 1}'):
        answer = await _send("POST", url, party.token_in, body)
        assert answer.status_code == 400, body
        assert answer.json()["status_code"] == 2001
    after = await credentials.party(party.id)
    assert after == party  # still pending, same token, no endpoints


async def test_unreachable_peer_is_3001_and_stores_nothing(server: RunningServer) -> None:
    credentials = roaming(server.forecourt.services).credentials
    party = await credentials.add_party("p")
    async with running_emsp(["2.2.1"]) as emsp:
        body = emsp.credentials("B-TOKEN")  # its versions refuse our B: it never accepted it
        answer = await _send(
            "POST",
            f"{server.http_url}/ocpi/2.2.1/credentials",
            party.token_in,
            httpx.Request("POST", "http://x", json=body).content,
        )
    assert answer.json()["status_code"] == 3001
    assert (await credentials.party(party.id)).state is PartyState.PENDING


async def test_second_post_is_405(server: RunningServer) -> None:
    async with running_emsp(["2.2.1"]) as emsp:
        from tests.ocpi.conftest import registered

        await registered(server, emsp)
        again = await emsp.call("POST", emsp.cpo_endpoints["credentials"], emsp.credentials("X"))
    assert again.status_code == 405
