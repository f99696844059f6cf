"""Which car it was, end to end: real sessions over OCPP from an Autocharge car (1.6 idTag
"VID:<MAC>", 2.0.1 MacAddress idToken) and a driver who told us their car; the matrix (API,
CLI) and the dashboard's worst vehicle × station combinations name the cars, with how they
were identified and how sure that is."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from typer.testing import CliRunner

from forecourt.cli.main import app as cli_app
from forecourt.domain.tokens import TokenKind, TokenRecord
from forecourt.services.access import Role
from tests.reliability.conftest import CARD, CARD_2, add_dc_station, charge, simulated
from tests.reliability.test_web import PASSWORD, _sign_in
from tests.support.server import RunningServer

MAC = "0A1B2C334455"


async def test_vehicles_identified_by_mac_and_by_the_drivers_choice(
    server: RunningServer, protocol: str
) -> None:
    services = server.forecourt.services
    station_id = f"CS-CAR-{protocol}"
    await add_dc_station(services, station_id)
    mac_token = f"VID:{MAC}" if protocol == "1.6" else MAC
    await services.network.add_token(TokenRecord(mac_token, TokenKind.MAC_ADDRESS))
    key, _ = await services.api_keys.create("ops", Role.OPERATOR)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=server.http_url, headers=headers) as client:
        for body in (
            {"kind": "oui", "key": "0a:1b:2c", "vehicle": "Kia EV6 2023"},
            {"kind": "driver_choice", "key": CARD, "vehicle": "Hyundai Ioniq 5 2022"},
        ):
            answer = await client.put("/api/reliability/vehicle-rules", json=body)
            assert answer.status_code == 200, answer.text
        bad = await client.put(
            "/api/reliability/vehicle-rules", json={"kind": "oui", "key": "0A1B", "vehicle": "x"}
        )
        assert bad.status_code == 422
        assert len((await client.get("/api/reliability/vehicle-rules")).json()) == 2

    mac_kind = {} if protocol == "1.6" else {"id_token_type": "MacAddress"}
    async with simulated(server, station_id, protocol) as station:
        for _ in range(2):  # alternate drivers: one start key per driver and second
            await charge(station, token=mac_token, **mac_kind)
            await charge(station, token=CARD)

    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    async with httpx.AsyncClient(base_url=server.http_url, headers=headers) as client:
        cells = (await client.get("/api/reliability/interop", params={"since": since})).json()
        identified = (
            await client.get("/api/reliability/vehicles/identify", params={"token": mac_token})
        ).json()
    mine = {c["vehicle"]: c for c in cells}
    assert mine["Kia EV6 2023"]["attempts"] == 2
    assert mine["Kia EV6 2023"]["identified_by"] == ["oui"]
    assert mine["Kia EV6 2023"]["confidence"] == 0.5
    assert mine["Hyundai Ioniq 5 2022"]["identified_by"] == ["driver_choice"]
    assert mine["Hyundai Ioniq 5 2022"]["confidence"] == 0.9
    assert identified == {
        "token": mac_token, "vehicle": "Kia EV6 2023", "identified_by": "oui", "confidence": 0.5,
    }  # fmt: skip

    matrix = await _cli(server, "kpis", "interop")
    assert {(r["vehicle"], r["identified_by"]) for r in matrix} == {
        ("Kia EV6 2023", "oui"),
        ("Hyundai Ioniq 5 2022", "driver_choice"),
    }

    await services.users.create("watcher", PASSWORD, Role.VIEWER)
    async with httpx.AsyncClient(base_url=server.http_url) as browser:
        await _sign_in(browser, "watcher")
        page = (await browser.get("/dashboard/reliability")).text
    worst = page.split('id="worst-title"', 1)[1].split("</section>", 1)[0]
    assert "Kia EV6 2023" in worst
    assert "Hyundai Ioniq 5 2022" in worst
    assert "driver choice" in worst


IONIQ = "2025–2026 Hyundai Ioniq 5 Long Range (84 kWh), NACS inlet"


async def test_my_car_for_a_token_names_the_car_of_its_sessions(server: RunningServer) -> None:
    """Compat keeps the driver's "my car" against their token (a catalogue car, resolved
    from their words); sessions started with that token over OCPP are that car in the
    interop matrix, with a driver's confidence (through the core port, no import)."""
    services = server.forecourt.services
    await add_dc_station(services, "CS-MYCAR")
    key, _ = await services.api_keys.create("ops", Role.OPERATOR)
    viewer, _ = await services.api_keys.create("look", Role.VIEWER)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=server.http_url, headers=headers) as client:
        # an operator's older guess for the same card: the driver's own choice replaces it
        guess = {"kind": "driver_choice", "key": CARD_2, "vehicle": "some SUV"}
        assert (await client.put("/api/reliability/vehicle-rules", json=guess)).status_code == 200
        ambiguous = await client.put(f"/api/tokens/{CARD_2}/car", json={"vehicle": "Ioniq 5"})
        assert ambiguous.status_code == 422
        assert "'Ioniq 5' matches" in ambiguous.json()["detail"]
        unknown = await client.put("/api/tokens/NO-SUCH-CARD/car", json={"vehicle": "EV9 2026"})
        assert unknown.status_code == 404
        answer = await client.put(f"/api/tokens/{CARD_2}/car", json={"vehicle": "2025 Ioniq 5"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["vehicle_id"] == "hyundai-ioniq-5-lr-2025"
        assert answer.json()["set_by"].startswith("api-key:ops (")
        shown = await client.get(
            f"/api/tokens/{CARD_2}/car", headers={"Authorization": f"Bearer {viewer}"}
        )
        assert shown.json()["vehicle"] == IONIQ
        assert shown.json()["token"] != CARD_2  # viewers see tokens masked

    async with simulated(server, "CS-MYCAR") as station:
        for _ in range(2):
            await charge(station, token=CARD_2)
            await charge(station, token=CARD)

    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    async with httpx.AsyncClient(base_url=server.http_url, headers=headers) as client:
        cells = (await client.get("/api/reliability/interop", params={"since": since})).json()
        identified = (
            await client.get("/api/reliability/vehicles/identify", params={"token": CARD_2})
        ).json()
        assert (await client.delete(f"/api/tokens/{CARD_2}/car")).status_code == 204
        assert (await client.get(f"/api/tokens/{CARD_2}/car")).status_code == 404
    [mine] = [c for c in cells if c["vehicle"] == IONIQ]
    assert (mine["attempts"], mine["identified_by"], mine["confidence"]) == (
        2,
        ["driver_choice"],
        0.9,
    )
    assert not [c for c in cells if c["vehicle"] == "some SUV"]
    assert identified == {
        "token": CARD_2, "vehicle": IONIQ, "identified_by": "driver_choice", "confidence": 0.9,
    }  # fmt: skip


async def _cli(server: RunningServer, *args: str) -> Any:
    env = {"FORECOURT_DATABASE_URL": server.forecourt.settings.database_url, "COLUMNS": "200"}
    result = await asyncio.to_thread(CliRunner().invoke, cli_app, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
