"""An account-billed on-street AC session, from plug-in to the monthly statement line.

A car with a contract certificate plugs into an AC post at a kerbside site billed to
accounts: Plug & Charge over OCPP 2.0.1 (a real OCSP responder), the session ends, and its
line (meter readings, energy, cost, site) is on the account's statement through the API
(JSON and CSV), the CLI, and the dashboard in headless Chromium.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, expect
from typer.testing import CliRunner

from forecourt.cli.main import app as cli_app
from forecourt.domain.stations import Site
from forecourt.domain.tokens import TokenKind, TokenRecord
from forecourt.plug_and_charge.testpki.generator import CONTRACTS, GeneratedPki
from forecourt.services.access import Role
from forecourt.simulator import SimulatedStation, StationConfig
from forecourt.simulator.config import ac_post
from tests.support.server import RunningServer, running_server
from tests.web.conftest import FAST, sign_in, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

SITE = "ELM-KERB"
STATION = "AC-ELM-1"
STATION_PASSWORD = "kerbside-post-password"
ACCOUNT = "util-4711"
EMAID = CONTRACTS["valid"]
PRICE = Decimal("0.32")
USER_PASSWORD = "correct horse battery"


async def test_on_street_session_reaches_the_monthly_statement(
    tmp_path: Path, pki: GeneratedPki, browser: Browser
) -> None:
    async with running_server(
        tmp_path,
        call_timeout=3.0,
        v2g_root_certificates=pki.roots,
        contract_pool_dir=pki.directory,
    ) as server:
        await _set_up(server)
        async with _operator_api(server) as api:
            await _open_account(api)
            await _charge_with_plug_and_charge(server, pki)
            month = server.forecourt.services.ctx.clock.now().strftime("%Y-%m")
            statement = await _statement_with_one_line(api, month)
            line = statement["lines"][0]
            assert line["site_id"] == SITE
            assert line["station_id"] == STATION
            assert line["token"] == EMAID
            energy = Decimal(line["energy_kwh"])
            assert energy > 0
            meter_kwh = (
                Decimal(str(line["meter_stop_wh"])) - Decimal(str(line["meter_start_wh"]))
            ) / 1000
            assert abs(meter_kwh - energy) < Decimal("0.01")  # readings explain the energy
            assert Decimal(line["cost"]) == (energy * PRICE).quantize(Decimal("0.01"))
            assert statement["totals"] == {"EUR": line["cost"]}
            assert statement["sites"] == [SITE]
            await _csv_matches(api, month, line)
        assert await _cli_statement(server, month) == statement
        await _dashboard_shows(server, browser, line)


async def _set_up(server: RunningServer) -> None:
    services = server.forecourt.services
    await services.network.add_site(Site(SITE, "Elm Street kerbside"))
    await services.network.add_station(STATION, password=STATION_PASSWORD, site_id=SITE)
    await services.network.add_token(TokenRecord(EMAID, TokenKind.EMAID))
    await services.users.create("ops", USER_PASSWORD, Role.OPERATOR)


def _operator_api(server: RunningServer) -> Any:
    class Api:
        async def __aenter__(self) -> httpx.AsyncClient:
            key, _ = await server.forecourt.services.api_keys.create("ops", Role.OPERATOR)
            self.client = httpx.AsyncClient(
                base_url=f"{server.http_url}/api",
                headers={"Authorization": f"Bearer {key}"},
                timeout=15,
            )
            return self.client

        async def __aexit__(self, *_: object) -> None:
            await self.client.aclose()

    return Api()


async def _open_account(api: httpx.AsyncClient) -> None:
    body = {"id": ACCOUNT, "name": "Flat 3, 12 Elm Street", "kind": "utility",
            "reference": "CUST-0004711"}  # fmt: skip
    assert (await api.post("/accounts", json=body)).status_code == 201
    assert (await api.put(f"/accounts/{ACCOUNT}/tokens/{EMAID}")).status_code == 204
    billing = {"price_per_kwh": str(PRICE), "currency": "EUR"}
    assert (await api.put(f"/sites/{SITE}/account-billing", json=billing)).status_code == 200
    # mistakes get precise answers and change nothing
    assert (await api.post("/accounts", json=body)).status_code == 409
    assert (await api.put(f"/accounts/{ACCOUNT}/tokens/NO-SUCH-TOKEN")).status_code == 404
    bad = {"price_per_kwh": "-1", "currency": "EUR"}
    assert (await api.put(f"/sites/{SITE}/account-billing", json=bad)).status_code == 422
    assert (await api.get(f"/accounts/{ACCOUNT}/statements/2026-13")).status_code == 422


async def _charge_with_plug_and_charge(server: RunningServer, pki: GeneratedPki) -> None:
    config = StationConfig(
        STATION,
        "2.0.1",
        url=server.ws_url,
        password=STATION_PASSWORD,
        evses=[ac_post()],
        **FAST,
    )
    station = SimulatedStation(config, seed=7)
    await station.start()
    try:
        await station.wait_ready(30)
        session = station.start_session(
            1,
            id_token=EMAID,
            id_token_type="eMAID",
            contract_certificate=pki.contract_chain("valid"),
        )
        assert session is not None
        await session.wait_charging(30)
        await asyncio.sleep(2.0)  # a few meter samples at vehicle time x30
        await station.stop_session(1, timeout=30)
    finally:
        await station.stop(timeout=3.0)


async def _statement_with_one_line(api: httpx.AsyncClient, month: str) -> dict[str, Any]:
    for _ in range(100):
        response = await api.get(f"/accounts/{ACCOUNT}/statements/{month}")
        assert response.status_code == 200
        statement: dict[str, Any] = response.json()
        if statement["lines"]:
            assert len(statement["lines"]) == 1
            return statement
        await asyncio.sleep(0.1)
    raise AssertionError("the session never reached the statement")


async def _csv_matches(api: httpx.AsyncClient, month: str, line: dict[str, Any]) -> None:
    response = await api.get(f"/accounts/{ACCOUNT}/statements/{month}", params={"format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 1
    assert rows[0]["account_reference"] == "CUST-0004711"
    assert rows[0]["energy_kwh"] == line["energy_kwh"]
    assert rows[0]["cost"] == line["cost"]


async def _cli_statement(server: RunningServer, month: str) -> Any:
    env = {"FORECOURT_DATABASE_URL": server.forecourt.settings.database_url, "COLUMNS": "200"}
    args = ["accounts", "statement", ACCOUNT, month, "--json"]
    result = await asyncio.to_thread(CliRunner().invoke, cli_app, args, env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


async def _dashboard_shows(server: RunningServer, browser: Browser, line: dict[str, Any]) -> None:
    page = await sign_in(browser, server, "ops", USER_PASSWORD)
    errors = watch_errors(page)
    await page.get_by_role("link", name="Accounts").click()
    await page.get_by_role("link", name=ACCOUNT).click()
    await expect(page).to_have_url(re.compile(f"/dashboard/accounts/{ACCOUNT}$"))
    table = page.get_by_role("table")
    await expect(table.locator("tbody tr")).to_have_count(1)
    await expect(table.locator("tbody tr").first).to_contain_text(f"{line['energy_kwh']} kWh")
    await expect(page.locator(".statement-total")).to_have_text(f"{line['cost']} EUR")
    await page.goto(f"/dashboard/sites/{SITE}/accounts")
    await expect(page.get_by_role("heading", name=re.compile("Flat 3"))).to_be_visible()
    await expect(page.locator("tbody tr").first).to_contain_text(EMAID)
    assert errors == []
    await page.context.close()
