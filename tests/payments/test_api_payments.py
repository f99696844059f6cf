"""REST: tariffs and bindings, the public price, scan-to-pay refusals, webhooks, receipts."""

from __future__ import annotations

import httpx
import pytest

from forecourt.domain.connectors import ConnectorType
from forecourt.services.access import Role
from forecourt.services.network import ConnectorSpec
from tests.support.server import RunningServer

pytestmark = pytest.mark.asyncio

TOU = {
    "code": "TOU",
    "name": "Time of use",
    "currency": "USD",
    "energy_bands": [
        {"starts_at": "00:00", "price_per_kwh": "0.30"},
        {"starts_at": "16:00", "price_per_kwh": "0.60"},
    ],
    "session_fee": "0.50",
    "idle_fee_per_minute": "0.25",
    "idle_grace_minutes": 5,
    "taxes": [{"name": "Sales tax", "percent": "7.5"}],
    "timezone": "America/Los_Angeles",
    "hold_amount": "40",
}


async def headers(server: RunningServer, role: Role) -> dict[str, str]:
    key = (await server.forecourt.services.api_keys.create(f"{role.value}-k", role))[0]
    return {"Authorization": f"Bearer {key}"}


async def test_tariffs_bindings_and_the_public_price(
    server: RunningServer, http: httpx.AsyncClient
) -> None:
    operator = await headers(server, Role.OPERATOR)
    network = server.forecourt.services.network
    for evse in (1, 2):
        await network.set_connector("PAY-16", ConnectorSpec(evse, 1, ConnectorType.CCS1))
    created = await http.post("/api/tariffs", json=TOU, headers=operator)
    assert created.status_code == 201, created.text
    assert created.json()["revision"] == 1
    floats = await http.post("/api/tariffs", json={**TOU, "session_fee": 0.5}, headers=operator)
    assert floats.status_code == 422
    assert "decimal strings" in floats.text
    past = await http.post(
        "/api/tariffs", json={**TOU, "effective_from": "2020-01-01T00:00:00Z"}, headers=operator
    )
    assert past.status_code == 422
    assert "past" in past.text
    revised = await http.post("/api/tariffs", json={**TOU, "session_fee": "0.75"}, headers=operator)
    assert revised.json()["revision"] == 2
    revisions = await http.get("/api/tariffs/TOU/revisions", headers=operator)
    assert [r["revision"] for r in revisions.json()] == [1, 2]

    binding = await http.post(
        "/api/tariff-bindings",
        json={"tariff_code": "TOU", "station_id": "PAY-16", "evse_id": 2},
        headers=operator,
    )
    assert binding.status_code == 201, binding.text
    price = (await http.get("/api/prices/PAY-16/2")).json()  # public: no key
    assert price["tariff"]["code"] == "TOU"
    assert price["hold"]["amount"] == "40.00"
    assert price["connector_types"] == ["ccs1"]
    assert price["energy_price_per_kwh"] in ("0.30", "0.60")
    assert any("0.75" in fee for fee in price["fees"])
    other = (await http.get("/api/prices/PAY-16/1")).json()
    assert other["tariff"]["code"] == "STD"  # the network default still applies there
    assert (await http.get("/api/prices/PAY-16/9")).status_code == 404
    removed = await http.delete(f"/api/tariff-bindings/{binding.json()['id']}", headers=operator)
    assert removed.status_code == 204


async def test_scan_to_pay_refused_while_the_station_is_offline(http: httpx.AsyncClient) -> None:
    answer = await http.post(
        "/api/payments/scan-to-pay", json={"station_id": "PAY-16", "evse_id": 1}
    )
    assert answer.status_code == 404  # no EVSE known yet (never connected)


async def test_webhooks_with_a_bad_signature_are_refused(http: httpx.AsyncClient) -> None:
    bad = await http.post(
        "/api/payments/webhooks/test",
        content=b'{"id": "e", "hold": "x"}',
        headers={"forecourt-test-signature": "t=1,v1=00"},
    )
    assert bad.status_code == 400
    wrong = await http.post("/api/payments/webhooks/stripe", content=b"{}")
    assert wrong.status_code == 404


async def test_receipts_need_the_code_or_the_card_day_and_amount(http: httpx.AsyncClient) -> None:
    assert (await http.get("/api/receipts/NOPE")).status_code == 404
    card_and_day = {"last4": "4242", "date": "2026-01-01"}
    assert (await http.get("/api/receipts", params=card_and_day)).status_code == 422
    found = await http.get("/api/receipts", params={**card_and_day, "amount": "1.00"})
    assert found.status_code == 404
    assert (await http.get("/api/receipts", params={"last4": "42", "date": "x"})).status_code == 422
    page = await http.get("/receipts", params={"last4": "4242", "day": "2026-01-01", "amount": "1"})
    assert page.status_code == 200
    assert "No receipt matches" in page.text


@pytest.mark.usefixtures("server")
async def test_operator_pages(http: httpx.AsyncClient) -> None:
    login = await http.get("/dashboard/payments", follow_redirects=False)
    assert login.status_code in (302, 303, 307)  # signed-in operators only
