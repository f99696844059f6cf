"""Issue 16 on the station page, in a real browser: reset one EVSE (2.0.1 only) and rotate
the station's password, each with the station's answer shown."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from forecourt.domain.commands import CommandKind
from forecourt.ports.repositories import TransactionFilter
from forecourt.services.access import Role
from forecourt.simulator import SimulatedStation, ac_post, dc_dispenser
from tests.support.server import RunningServer, running_server
from tests.web.conftest import sign_in, station_factory, stop_all, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PASSWORD = "correct horse battery"
STATION_PASSWORD = "station-password-123"


@dataclass
class Rig:
    server: RunningServer
    v201: SimulatedStation


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def rig(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Rig]:
    tmp: Path = tmp_path_factory.mktemp("administration")
    async with running_server(tmp, call_timeout=3.0) as server:
        services = server.forecourt.services
        await services.users.create("tech", PASSWORD, Role.TECHNICIAN)
        started: list[SimulatedStation] = []
        make = station_factory(server, started)
        for station_id, protocol in (("CP-ADM-201", "2.0.1"), ("CP-ADM-16", "1.6")):
            await services.network.add_station(station_id, password=STATION_PASSWORD)
            station = make(
                station_id, protocol, password=STATION_PASSWORD, evses=[dc_dispenser(), ac_post()]
            )
            await station.start()
            await station.wait_ready(30)
        yield Rig(server, started[0])
        await stop_all(started)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def technician(browser: Browser, rig: Rig) -> AsyncIterator[Page]:
    page = await sign_in(browser, rig.server, "tech", PASSWORD)
    yield page
    await page.context.close()


async def test_one_evse_of_a_201_station_is_reset(rig: Rig, technician: Page) -> None:
    page = technician
    errors = watch_errors(page)
    await page.goto("/dashboard/stations/CP-ADM-201")
    await page.locator("#reset-evse").select_option("2")
    await page.get_by_role("button", name="Soft reset").click()
    answer = page.locator("#command-result [data-command-status]")
    await expect(answer).to_have_attribute("data-command-status", "accepted", timeout=8000)
    records = await rig.server.forecourt.services.remote.history("CP-ADM-201")
    assert (records[0].kind, records[0].params["evse_id"]) == (CommandKind.RESET, 2)
    assert errors == []


async def test_a_16_station_page_offers_no_evse_reset(technician: Page) -> None:
    await technician.goto("/dashboard/stations/CP-ADM-16")
    await expect(technician.get_by_role("button", name="Soft reset")).to_be_visible()
    await expect(technician.locator("#reset-evse")).to_have_count(0)


async def test_the_password_rotation_shows_the_stations_answer(rig: Rig, technician: Page) -> None:
    page = technician
    await page.goto("/dashboard/stations/CP-ADM-201")
    await page.get_by_role("button", name="Rotate password").click()
    answer = page.locator("#command-result [data-command-status]")
    await expect(answer).to_contain_text("Set station password", timeout=8000)
    records = await rig.server.forecourt.services.remote.history("CP-ADM-201")
    assert records[0].kind is CommandKind.SET_STATION_PASSWORD
    assert await answer.get_attribute("data-command-status") == records[0].status.value


async def test_custom_report_and_network_profile_from_the_page(rig: Rig, technician: Page) -> None:
    page = technician
    errors = watch_errors(page)
    await page.goto("/dashboard/stations/CP-ADM-201")
    await page.locator("#report-criterion").select_option("enabled")
    await page.locator("#report-keys").fill("OCPPCommCtrlr")
    await page.get_by_role("button", name="Ask for the report").click()
    answer = page.locator("#command-result [data-command-status]")
    await expect(answer).to_contain_text("Get report", timeout=8000)
    await expect(answer).to_have_attribute("data-command-status", "accepted")

    await page.locator("#profile-slot").fill("3")
    await page.locator("#profile-url").fill("wss://backup.example/ocpp")
    await page.locator("#profile-security").select_option("2")
    await page.get_by_role("button", name="Store the profile").click()
    await expect(answer).to_contain_text("Set network profile", timeout=8000)
    await expect(answer).to_have_attribute("data-command-status", "accepted")
    stored = rig.v201.dialect._calls.admin.network_profiles  # type: ignore[attr-defined]
    assert (stored[3]["ocppCsmsUrl"], stored[3]["securityProfile"]) == (
        "wss://backup.example/ocpp",
        2,
    )
    assert errors == []


async def test_a_session_page_asks_for_queued_messages(rig: Rig, technician: Page) -> None:
    page = technician
    session = rig.v201.start_session(1, id_token="TAG-ADM")
    assert session is not None
    services = rig.server.forecourt.services
    for _ in range(100):
        items, _ = await services.history.list(TransactionFilter("CP-ADM-201"))
        if items:
            break
        await asyncio.sleep(0.05)
    await page.goto(f"/dashboard/sessions/{items[0].id}")
    async with page.expect_response(lambda r: "get_transaction_status" in r.url) as info:
        await page.get_by_role("button", name="Ask the station for queued messages").click()
    response = await info.value
    assert response.ok
    await expect(page.locator("[data-messages-queued]")).to_have_attribute(
        "data-messages-queued", "false", timeout=8000
    )
    records = await services.remote.history("CP-ADM-201")
    assert records[0].kind is CommandKind.GET_TRANSACTION_STATUS
    assert records[0].params["station_tx_id"] == items[0].station_tx_id
