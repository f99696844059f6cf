"""RESERVE_NOW / CANCEL_RESERVATION end to end: mapped onto our OCPP reservations at a
simulated 2.0.1 station, only where the station supports reservations; CommandResults reach
the eMSP through the durable queue even when it is down at first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from forecourt.domain.local_auth import ReservationState
from forecourt.services.access import Role
from tests.ocpi.conftest import add_site, eventually, registered, simulated
from tests.ocpi.emsp import Emsp, running_emsp
from tests.ocpi.test_commands import command
from tests.support.server import RunningServer


async def _api(server: RunningServer, method: str, path: str, body: Any = None) -> httpx.Response:
    key, _ = await server.forecourt.services.api_keys.create("ops", Role.OPERATOR)
    async with httpx.AsyncClient(base_url=server.http_url) as client:
        return await client.request(
            method, path, json=body, headers={"Authorization": f"Bearer {key}"}
        )


async def _capabilities(emsp: Emsp) -> list[str]:
    answer = await emsp.call("GET", f"{emsp.cpo_endpoints['locations']}/SITE-1/CS-1*1")
    capabilities: list[str] = answer.json()["data"]["capabilities"]
    return capabilities


def _reserve(emsp: Emsp, name: str, reservation_id: str) -> dict[str, Any]:
    expiry = (datetime.now(UTC) + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "response_url": emsp.response_url(name),
        "token": emsp.issue("APP00042"),
        "expiry_date": expiry,
        "reservation_id": reservation_id,
        "location_id": "SITE-1",
        "evse_uid": "CS-1*1",
    }


async def _got(emsp: Emsp, name: str) -> dict[str, Any] | None:
    return emsp.results.get(name)


async def test_reserve_and_cancel_where_the_station_supports_it(server: RunningServer) -> None:
    async with running_emsp(["2.3.0"]) as emsp:
        await registered(server, emsp)
        await add_site(server.forecourt.services, "SITE-1", "CS-1")
        async with simulated(server, "CS-1"):
            # Nothing says this station takes reservations: not offered, not tried.
            assert "RESERVABLE" not in await _capabilities(emsp)
            refused = await command(emsp, "RESERVE_NOW", _reserve(emsp, "r0", "R-0"))
            assert refused["data"]["result"] == "NOT_SUPPORTED"
            assert await server.forecourt.services.core.reservations.list("CS-1") == []

            features = {"reservable": True, "card_reader": False, "plug_and_charge": False}
            answer = await _api(server, "PUT", "/api/stations/CS-1/roaming-features", features)
            assert answer.status_code == 200, answer.text
            assert "RESERVABLE" in await _capabilities(emsp)

            # The partner is down for the first two attempts: the result still lands.
            emsp.fail_results = 2
            accepted = await command(emsp, "RESERVE_NOW", _reserve(emsp, "r1", "R-1"))
            assert accepted["data"]["result"] == "ACCEPTED"
            r1 = await eventually(lambda: _got(emsp, "r1"), 30)
            assert r1["result"] == "ACCEPTED"
            assert emsp.failed_results == 2
            held = await server.forecourt.services.core.reservations.list("CS-1")
            assert [(r.state, r.id_token, r.evse_id) for r in held] == [
                (ReservationState.ACTIVE, "APP00042", 1)
            ]

            cancel = {"response_url": emsp.response_url("c1"), "reservation_id": "R-1"}
            assert (await command(emsp, "CANCEL_RESERVATION", cancel))["data"]["result"] == (
                "ACCEPTED"
            )
            assert (await eventually(lambda: _got(emsp, "c1"), 30))[
                "result"
            ] == "CANCELED_RESERVATION"
            ended = await server.forecourt.services.core.reservations.get(held[0].id)
            assert ended.state is ReservationState.CANCELLED

            unknown = {"response_url": emsp.response_url("c2"), "reservation_id": "NOPE"}
            await command(emsp, "CANCEL_RESERVATION", unknown)
            assert (await eventually(lambda: _got(emsp, "c2"), 30))[
                "result"
            ] == "UNKNOWN_RESERVATION"

        metrics = await eventually(lambda: _drained(server), 30)
        assert 'forecourt_ocpi_pushes_total{module="response_url",outcome="failed"} 2.0' in metrics
        assert 'forecourt_ocpi_requests_total{module="commands",status_code="1000"}' in metrics


async def _drained(server: RunningServer) -> str | None:
    """The metrics once the queue's depth of CommandResults is back to zero."""
    metrics = (await _api(server, "GET", "/metrics")).text
    return (
        metrics if 'forecourt_ocpi_push_queue_depth{module="response_url"} 0.0' in metrics else None
    )


async def test_capabilities_follow_what_we_know(server: RunningServer) -> None:
    async with running_emsp(["2.2.1"]) as emsp:
        await registered(server, emsp)
        await add_site(server.forecourt.services, "SITE-1", "CS-1")
        before = await _capabilities(emsp)
        assert "REMOTE_START_STOP_CAPABLE" in before
        assert not {"RESERVABLE", "CREDIT_CARD_PAYABLE", "ISO_15118_2_PLUG_AND_CHARGE"} & set(
            before
        )
        features = {"reservable": False, "card_reader": True, "plug_and_charge": True}
        answer = await _api(server, "PUT", "/api/stations/CS-1/roaming-features", features)
        assert answer.status_code == 200, answer.text
        after = set(await _capabilities(emsp))
        assert {
            "CREDIT_CARD_PAYABLE",
            "CONTACTLESS_CARD_SUPPORT",
            "ISO_15118_2_PLUG_AND_CHARGE",
        } <= after
        assert "RESERVABLE" not in after
        shown = await _api(server, "GET", "/api/stations/CS-1/roaming-features")
        assert shown.json() == features


async def test_features_of_an_unknown_station_are_refused(server: RunningServer) -> None:
    body = {"reservable": True}
    answer = await _api(server, "PUT", "/api/stations/NOPE/roaming-features", body)
    assert answer.status_code == 404
    bad = await _api(server, "PUT", "/api/stations/NOPE/roaming-features", {"fly": True})
    assert bad.status_code == 422
