"""The certificate pages in a real browser: the network's CA and certificates, and the
Certificates panel on a station page (profile, each certificate's state and expiry), whose
forms install and delete trust-store certificates, revoke and switch the profile on a station
answering over a real websocket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import APIResponse, Browser, Locator, Page, expect
from websockets.asyncio.client import connect

from forecourt.pki.keys import PKI
from forecourt.services.access import Role
from tests.e2e.conftest import basic_auth
from tests.pki.conftest import BOOT, Station
from tests.support.server import RunningServer, running_server
from tests.web.conftest import browser, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PASSWORD = "correct horse battery"
STATION_PASSWORD = "form-station-pw-123"
HASH = {"hashAlgorithm": "SHA256", "issuerNameHash": "aa", "issuerKeyHash": "bb"}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningServer]:
    tmp: Path = tmp_path_factory.mktemp("pki-pages")
    async with running_server(tmp, secret_key="pki-pages-secret-0123456789") as running:
        services = running.forecourt.services
        await services.users.create("ops", PASSWORD, Role.OPERATOR)
        await services.network.add_station("CS-WEB")
        pki = services.feature(PKI)
        await pki.authority.init("Web CPO")
        old = await pki.authority.issue_key_pair("CS-WEB")
        await pki.authority.revoke(old.certificate.serial, "replaced")
        await pki.authority.issue_key_pair("CS-WEB")
        await pki.stations.set_profile("CS-WEB", 3)
        await services.users.create("tech", PASSWORD, Role.TECHNICIAN)
        await services.network.add_station("CS-FORM", password=STATION_PASSWORD)
        await pki.authority.issue_key_pair("CS-FORM")
        await services.network.add_station("CS-OTHER")
        await pki.authority.issue_key_pair("CS-OTHER")
        yield running


async def test_the_station_page_shows_its_certificates(
    browser: Browser,  # noqa: F811
    server: RunningServer,
) -> None:
    page, panel = await _station_panel(browser, server, "ops", "CS-WEB")
    await expect(panel.get_by_test_id("security-profile")).to_have_text(
        "3 (TLS client certificate)"
    )
    states = panel.get_by_test_id("certificate-state")
    await expect(states).to_have_text(["valid", "revoked"])  # newest first
    await page.goto("/dashboard/pki")
    await expect(page.get_by_role("heading", name="Station certificates")).to_be_visible()
    await expect(page.get_by_role("rowheader", name="station ca")).to_be_visible()
    await expect(page.get_by_role("link", name="CS-WEB")).to_have_count(2)


@pytest_asyncio.fixture(loop_scope="session")
async def peer(server: RunningServer) -> AsyncIterator[Station]:
    """CS-FORM on profile 1 (a password over plain websockets), answering the test."""
    async with connect(
        f"{server.ws_url}/CS-FORM",
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers=basic_auth("CS-FORM", STATION_PASSWORD),
    ) as ws:
        station = Station(ws)
        assert (await station.call("BootNotification", BOOT))["status"] == "Accepted"
        yield station


async def _answer(peer: Station, action: str, reply: dict[str, str]) -> dict[str, object]:
    message_id, received, payload = await asyncio.wait_for(peer.receive_call(), 15)
    assert received == action
    await peer.answer(message_id, reply)
    return payload


async def test_an_operator_manages_the_trust_store_revokes_and_switches_the_profile(
    browser: Browser,  # noqa: F811
    server: RunningServer,
    peer: Station,
) -> None:
    root = await server.forecourt.services.feature(PKI).authority.trust_bundle()
    _, panel = await _station_panel(browser, server, "ops", "CS-FORM")
    outcome = panel.get_by_test_id("pki-outcome")

    install = panel.get_by_role("form", name="Install a certificate")
    await install.get_by_label("Use").select_option("csms_root")
    await install.get_by_label("Certificate (PEM)").fill("not a certificate")
    await install.get_by_role("button", name="Install").click()
    await expect(outcome.get_by_role("alert")).to_have_text("not a PEM certificate")

    await install.get_by_label("Certificate (PEM)").fill(root)
    await install.get_by_role("button", name="Install").click()
    sent = await _answer(peer, "InstallCertificate", {"status": "Accepted"})  # not the bad one
    assert (sent["certificateType"], sent["certificate"]) == ("CentralSystemRootCertificate", root)
    await expect(outcome).to_contain_text("Install certificate: the station answered “Accepted”")

    delete = panel.get_by_role("form", name="Delete an installed certificate")
    await delete.get_by_label("Issuer name hash").fill("aa")
    await delete.get_by_label("Issuer key hash").fill("bb")
    await delete.get_by_label("Serial number").fill("1f")
    await delete.get_by_role("button", name="Delete").click()
    sent = await _answer(peer, "DeleteCertificate", {"status": "NotFound"})
    assert sent["certificateHashData"] == {**HASH, "serialNumber": "1f"}
    await expect(outcome).to_contain_text("the station answered “Rejected”")

    profile = panel.get_by_role("form", name="Security profile switch")
    await profile.get_by_label("Switch to").select_option("2")
    await profile.get_by_role("button", name="Send switch").click()
    sent = await _answer(peer, "ChangeConfiguration", {"status": "Accepted"})
    assert sent == {"key": "SecurityProfile", "value": "2"}
    await expect(panel.get_by_test_id("target-profile")).to_contain_text("2")
    await expect(panel.get_by_test_id("security-profile")).to_have_text("1 (password)")

    await panel.get_by_label("Reason").fill("key leaked")
    await panel.get_by_role("button", name="Revoke").click()
    await expect(outcome).to_contain_text("revoked: the station cannot connect with it")
    await expect(panel.get_by_test_id("certificate-state")).to_have_text(["revoked"])
    await expect(panel.get_by_role("button", name="Revoke")).to_have_count(0)
    issued = await server.forecourt.services.feature(PKI).authority.certificates("CS-FORM")
    assert [(c.revoked_at is not None, c.revocation_reason) for c in issued] == [
        (True, "key leaked")
    ]


async def test_a_downgrade_is_refused_in_the_panel_before_anything_is_sent(
    browser: Browser,  # noqa: F811
    server: RunningServer,
) -> None:
    page, panel = await _station_panel(browser, server, "ops", "CS-WEB")
    profile = panel.get_by_role("form", name="Security profile switch")
    await profile.get_by_label("Switch to").select_option("1")
    await profile.get_by_role("button", name="Send switch").click()
    await expect(panel.get_by_role("alert")).to_contain_text("profile 3 -> 1 is a downgrade")
    await expect(panel.get_by_test_id("security-profile")).to_have_text(
        "3 (TLS client certificate)"
    )
    # without htmx, refusals are error pages with precise statuses
    path = "/dashboard/pki/stations/CS-WEB"
    bad = await _post(page, f"{path}/trust-store", anchor="nope", certificate_pem="x")
    assert bad.status == 400
    assert "choose what the certificate is for" in await bad.text()
    authority = server.forecourt.services.feature(PKI).authority
    (other,) = await authority.certificates("CS-OTHER")
    foreign = await _post(page, f"{path}/certificates/{other.serial}/revocation")
    assert foreign.status == 404  # another station's certificate is not revoked from here
    assert [c.revoked_at for c in await authority.certificates("CS-OTHER")] == [None]


async def test_a_technician_sees_no_forms_and_cannot_post_them(
    browser: Browser,  # noqa: F811
    server: RunningServer,
) -> None:
    page, panel = await _station_panel(browser, server, "tech", "CS-WEB")
    await expect(panel.get_by_test_id("security-profile")).to_be_visible()
    await expect(panel.get_by_role("form")).to_have_count(0)
    refused = await _post(page, "/dashboard/pki/stations/CS-WEB/profile", security_profile="3")
    assert refused.status == 403
    assert "needs the operator role" in await refused.text()


async def _station_panel(
    browser: Browser,  # noqa: F811
    server: RunningServer,
    username: str,
    station_id: str,
) -> tuple[Page, Locator]:
    """Signed in as ``username``, on the station's page: the tab and its Certificates panel."""
    page = await sign_in(browser, server, username, PASSWORD)
    await page.goto(f"/dashboard/stations/{station_id}")
    return page, page.get_by_label("Certificates")


async def _post(page: Page, path: str, **fields: str) -> APIResponse:
    """A form post with the session's CSRF token, as the forms send it."""
    token = await page.locator("input[name=csrf_token]").first.input_value()
    return await page.request.post(path, form={"csrf_token": token, **fields})
