"""Locations: pulls with pagination, NACS per version, live status pushed after OCPP."""

from __future__ import annotations

import httpx
import pytest

from forecourt.domain.stations import Site
from forecourt.simulator.session import ConnectorStatus
from tests.ocpi import spec
from tests.ocpi.conftest import add_site, eventually, registered, roaming, simulated
from tests.ocpi.emsp import Emsp, running_emsp
from tests.support.server import RunningServer


async def _pull_all(emsp: Emsp, url: str) -> tuple[list[dict[str, object]], list[httpx.Response]]:
    pages, items = [], []
    next_url: str | None = url
    while next_url:
        answer = await emsp.call("GET", next_url)
        pages.append(answer)
        items += answer.json()["data"]
        link = answer.headers.get("Link", "")
        next_url = link[1 : link.index(">")] if link else None
    return items, pages


@pytest.mark.parametrize(("version", "nacs"), [("2.2.1", "TESLA_S"), ("2.3.0", "SAE_J3400")])
async def test_locations_page_by_page(server: RunningServer, version: str, nacs: str) -> None:
    services = server.forecourt.services
    for n in range(1, 4):
        await add_site(services, f"SITE-{n}", f"CS-{n}")
    async with running_emsp([version]) as emsp:
        await registered(server, emsp)
        items, pages = await _pull_all(emsp, emsp.cpo_endpoints["locations"] + "?limit=2")

    assert [p.headers["X-Total-Count"] for p in pages] == ["3", "3"]
    assert [p.headers["X-Limit"] for p in pages] == ["2", "2"]
    assert [item["id"] for item in items] == ["SITE-1", "SITE-2", "SITE-3"]
    for item in items:
        spec.check(spec.location(version), item)
    evse = items[0]["evses"][0]  # type: ignore[index]
    assert [c["standard"] for c in evse["connectors"]] == [nacs, "IEC_62196_T1_COMBO"]
    assert evse["connectors"][0]["max_electric_power"] == 250_000
    assert evse["status"] == "UNKNOWN"  # never connected: its status is not known


async def test_one_location_and_one_evse(server: RunningServer) -> None:
    await add_site(server.forecourt.services, "SITE-1", "CS-1")
    async with running_emsp(["2.3.0"]) as emsp:
        await registered(server, emsp)
        base = emsp.cpo_endpoints["locations"]
        location = (await emsp.call("GET", f"{base}/SITE-1")).json()["data"]
        evse = (await emsp.call("GET", f"{base}/SITE-1/CS-1*1")).json()["data"]
        missing = await emsp.call("GET", f"{base}/NOPE")
        missing_evse = await emsp.call("GET", f"{base}/SITE-1/CS-1*9")
    spec.check(spec.location("2.3.0"), location)
    spec.check(spec.evse("2.3.0"), evse)
    assert evse["evse_id"] == "US*FCT*ECS1*1"
    assert missing.status_code == 404
    assert missing.json()["status_code"] == 2003
    assert missing_evse.json()["status_code"] == 2003


async def test_status_change_over_ocpp_is_pushed_and_retried(server: RunningServer) -> None:
    services = server.forecourt.services
    await add_site(services, "SITE-1", "CS-1")
    async with running_emsp(["2.2.1"]) as emsp, simulated(server, "CS-1") as station:
        await registered(server, emsp)

        async def available() -> bool:
            pull = await emsp.call("GET", emsp.cpo_endpoints["locations"] + "/SITE-1/CS-1*1")
            return bool(pull.json()["data"]["status"] == "AVAILABLE")

        await eventually(available)
        emsp.fail_next = 2  # the receiver is down for two attempts
        await station.set_status(station.evse(1), ConnectorStatus.FAULTED)

        def patched() -> list[tuple[str, str, dict[str, object]]]:
            return [p for p in emsp.pushes if p[0] == "PATCH" and p[2]["status"] == "OUTOFORDER"]

        async def pushed() -> list[tuple[str, str, dict[str, object]]]:
            return patched()

        _method, path, _ = (await eventually(pushed))[0]
    assert emsp.failed == 2
    assert path == "US/FCT/SITE-1/CS-1*1"
    # at least the two refusals; a push that timed out on a loaded machine counts too
    assert roaming(services).push.failed >= 2
    assert roaming(services).push.sent >= 1


async def test_public_feed_needs_no_token_and_is_rate_limited(server: RunningServer) -> None:
    services = server.forecourt.services
    await add_site(services, "SITE-1", "CS-1")
    await services.network.add_site(Site("HIDDEN", "No coordinates"))
    url = f"{server.http_url}/ocpi/feed/2.3.0/locations"
    async with httpx.AsyncClient() as client:
        first = await client.get(url)
        answers = [await client.get(url) for _ in range(30)]
    assert first.status_code == 200
    assert [item["id"] for item in first.json()["data"]] == ["SITE-1"]  # published only
    spec.check(spec.location("2.3.0"), first.json()["data"][0])
    refused = [a for a in answers if a.status_code == 429]
    assert refused, "30 requests at once must exceed the default 2/s with a burst of 10"
    assert refused[0].json()["status_code"] == 2000
