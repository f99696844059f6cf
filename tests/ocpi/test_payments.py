"""OCPI 2.3.0 Payments end to end: a Payment Terminal Provider written in the tests from
mod_payments registers a terminal at our location, starts a session with an
``authorization_reference`` at a simulated station over real OCPP, the session ends and its
FinancialAdviceConfirmation settles the hold the payments slice opened for the reference."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from forecourt.domain.money import Money
from forecourt.ocpi.keys import OCPI
from forecourt.ocpi.ports import OCPI_PAYMENTS
from forecourt.payments.domain.payments import Payment, PaymentState
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.ports import PAYMENT_STORE, TariffBinding
from forecourt.services.access import Role
from tests.ocpi import spec
from tests.ocpi.conftest import add_site, eventually, registered, simulated
from tests.ocpi.emsp import Emsp, running_emsp
from tests.ocpi.test_commands import _active, _ended, command
from tests.payments.conftest import TARIFF
from tests.support.server import RunningServer

REFERENCE = "PTP-AUTH-0001"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _terminal(terminal_id: str = "T-0001", **fields: Any) -> dict[str, Any]:
    return {
        "terminal_id": terminal_id,
        "customer_reference": "FORECOURT-1",
        "address": "1 Main St",
        "city": "Springfield",
        "country": "USA",
        "invoice_creator": "CPO",
        "location_ids": ["SITE-1"],
        "last_updated": _now(),
        **fields,
    }


def _advice(total: Decimal, advice_id: str = "FAC-0001", **fields: Any) -> dict[str, Any]:
    return {
        "id": advice_id,
        "authorization_reference": REFERENCE,
        "total_costs": {"before_taxes": float(total), "taxes": []},
        "currency": "USD",
        "eft_data": ["VISA **** 4242", "AID A0000000031010", "STAN 004711"],
        "capture_status_code": "SUCCESS",
        "last_updated": _now(),
        **fields,
    }


async def _post(emsp: Emsp, path: str, body: Any) -> dict[str, Any]:
    answer = await emsp.call("POST", f"{emsp.cpo_endpoints['payments']}/{path}", body)
    return {"http": answer.status_code, **answer.json()}


async def _payment(server: RunningServer) -> Payment | None:
    async with server.forecourt.services.ctx.uow() as uow:
        found = await uow.repository(PAYMENT_STORE).by_token(REFERENCE)
    return found[0] if found else None


async def _stored_terminals(server: RunningServer) -> list[str]:
    async with server.forecourt.services.ctx.uow() as uow:
        return [t.terminal_id for t in await uow.repository(OCPI_PAYMENTS).terminals()]


async def _priced(server: RunningServer) -> Payment | None:
    payment = await _payment(server)
    return payment if payment is not None and payment.final_minor is not None else None


async def _captured(server: RunningServer) -> Payment | None:
    payment = await _payment(server)
    return payment if payment is not None and payment.state is PaymentState.CAPTURED else None


async def _tariff(server: RunningServer) -> None:
    tariffs = server.forecourt.services.feature(PAYMENTS).tariffs
    await tariffs.publish(TARIFF)
    await tariffs.bind(TariffBinding("STD"))


async def test_terminal_session_and_financial_advice(server: RunningServer) -> None:
    async with running_emsp(["2.3.0"], role="PTP") as ptp:
        await registered(server, ptp)
        assert "payments" in ptp.cpo_endpoints  # 2.3.0 lists the module
        await add_site(server.forecourt.services, "SITE-1", "CS-1")
        await _tariff(server)

        created = await _post(ptp, "terminals", _terminal())
        assert created["status_code"] == 1000, created
        spec.check(spec.TERMINAL, created["data"])
        url = f"{ptp.cpo_endpoints['payments']}/terminals/T-0001"
        fetched = (await ptp.call("GET", url)).json()["data"]
        assert fetched["location_ids"] == ["SITE-1"]
        evse = await ptp.call("GET", f"{ptp.cpo_endpoints['locations']}/SITE-1/CS-1*1")
        assert "CREDIT_CARD_PAYABLE" in evse.json()["data"]["capabilities"]

        async with simulated(server, "CS-1") as station:
            start = {
                "response_url": ptp.response_url("start"),
                "token": ptp.issue("ADHOC0001"),
                "location_id": "SITE-1",
                "evse_uid": "CS-1*1",
                "authorization_reference": REFERENCE,
            }
            assert (await command(ptp, "START_SESSION", start))["data"]["result"] == "ACCEPTED"
            result = await eventually(lambda: _got(ptp, "start"), 30)
            assert result["result"] == "ACCEPTED"
            tx = await eventually(lambda: _active(server, REFERENCE), 30)
            assert tx.station_id == "CS-1"
            assert station.active_sessions
            held = await _payment(server)
            assert held is not None
            assert held.hold_minor == 5000  # the tariff's hold

            stop = {"response_url": ptp.response_url("stop"), "session_id": str(tx.id)}
            assert (await command(ptp, "STOP_SESSION", stop))["data"]["result"] == "ACCEPTED"
            await eventually(lambda: _ended(server, REFERENCE), 30)

        priced = await eventually(lambda: _priced(server), 30)
        assert priced.final_minor is not None
        owed = Money(priced.final_minor, "USD").to_decimal()
        advice = _advice(owed)
        accepted = await _post(ptp, "financial-advice-confirmations", advice)
        assert accepted["status_code"] == 1000, accepted
        spec.check(spec.FINANCIAL_ADVICE, accepted["data"])
        captured = await eventually(lambda: _captured(server), 30)
        assert captured.captured_minor == priced.final_minor
        assert captured.transaction_id == tx.id

        again = await _post(ptp, "financial-advice-confirmations", advice)  # a replay
        assert again["status_code"] == 1000
        recorded = await server.forecourt.services.feature(OCPI).payments.all_advice()
        assert [(a.id, a.transaction_id, a.total) for a in recorded] == [("FAC-0001", tx.id, owed)]
        url = f"{ptp.cpo_endpoints['payments']}/financial-advice-confirmations/FAC-0001"
        assert (await ptp.call("GET", url)).json()["data"]["eft_data"] == advice["eft_data"]


async def _got(emsp: Emsp, name: str) -> dict[str, Any] | None:
    return emsp.results.get(name)


async def _api(server: RunningServer, method: str, path: str, body: Any = None) -> httpx.Response:
    key, _ = await server.forecourt.services.api_keys.create("ops", Role.OPERATOR)
    async with httpx.AsyncClient(base_url=server.http_url) as client:
        return await client.request(
            method, path, json=body, headers={"Authorization": f"Bearer {key}"}
        )


async def test_bad_terminals_and_advice_store_nothing(server: RunningServer) -> None:
    async with running_emsp(["2.3.0"], role="PTP") as ptp, running_emsp(["2.3.0"]) as emsp:
        await registered(server, ptp)
        await registered(server, emsp)
        await add_site(server.forecourt.services, "SITE-1", "CS-1")

        elsewhere = await _post(ptp, "terminals", _terminal(location_ids=["SITE-9"]))
        assert (elsewhere["http"], elsewhere["status_code"]) == (404, 2003)
        no_evse = await _post(ptp, "terminals", _terminal(evse_uids=["CS-1*7"]))
        assert (no_evse["http"], no_evse["status_code"]) == (404, 2003)
        too_long = await _post(ptp, "terminals", _terminal("T" * 37))
        assert (too_long["http"], too_long["status_code"]) == (400, 2001)
        no_id = await _post(ptp, "terminals", {"last_updated": _now()})
        assert (no_id["http"], no_id["status_code"]) == (400, 2001)
        not_ptp = await emsp.call(
            "POST", f"{emsp.cpo_endpoints['payments']}/terminals", _terminal()
        )
        assert (not_ptp.status_code, not_ptp.json()["status_code"]) == (403, 2000)
        assert await _stored_terminals(server) == []

        unknown = await ptp.call("GET", f"{ptp.cpo_endpoints['payments']}/terminals/T-0001")
        assert unknown.status_code == 404
        stray = await _post(ptp, "financial-advice-confirmations", _advice(Decimal("9.99")))
        assert (stray["http"], stray["status_code"]) == (400, 2001)
        no_eft = await _post(
            ptp, "financial-advice-confirmations", _advice(Decimal(1), eft_data=[])
        )
        assert (no_eft["http"], no_eft["status_code"]) == (400, 2001)
        assert await server.forecourt.services.feature(OCPI).payments.all_advice() == []

        # The module is 2.3.0's: 2.2.1 has no payments paths.
        old = ptp.cpo_endpoints["payments"].replace("/2.3.0/", "/2.2.1/")
        answer = await ptp.call("POST", f"{old}/terminals", _terminal())
        assert (answer.status_code, answer.json()["status_code"]) == (404, 3002)


async def test_assignment_and_deactivation_reach_the_ptp(server: RunningServer) -> None:
    async with running_emsp(["2.3.0"], role="PTP") as ptp:
        await registered(server, ptp)
        await add_site(server.forecourt.services, "SITE-1", "CS-1")
        await _tariff(server)
        created = await _post(ptp, "terminals", _terminal(location_ids=[]))
        assert created["status_code"] == 1000
        evse_url = f"{ptp.cpo_endpoints['locations']}/SITE-1/CS-1*1"
        evse = (await ptp.call("GET", evse_url)).json()["data"]
        assert "CREDIT_CARD_PAYABLE" not in evse["capabilities"]  # serves nothing yet

        body = {"location_ids": [], "evse_uids": ["CS-1*1"]}
        assigned = await _api(server, "PUT", "/api/ocpi/terminals/T-0001/assignment", body)
        assert assigned.status_code == 200, assigned.text
        (patch,) = await eventually(lambda: _pushed(ptp, "PATCH", "payments/terminals/T-0001"), 30)
        assert patch["evse_uids"] == ["CS-1*1"]
        evse = (await ptp.call("GET", evse_url)).json()["data"]
        assert "CREDIT_CARD_PAYABLE" in evse["capabilities"]
        bad = {"location_ids": ["SITE-9"], "evse_uids": []}
        refused = await _api(server, "PUT", "/api/ocpi/terminals/T-0001/assignment", bad)
        assert refused.status_code == 404

        off = await _api(server, "POST", "/api/ocpi/terminals/T-0001/deactivate")
        assert off.status_code == 200
        assert off.json()["active"] is False
        await eventually(lambda: _pushed(ptp, "POST", "payments/terminals/T-0001/deactivate"), 30)
        evse = (await ptp.call("GET", evse_url)).json()["data"]
        assert "CREDIT_CARD_PAYABLE" not in evse["capabilities"]
        start = {
            "response_url": ptp.response_url("start"),
            "token": ptp.issue("ADHOC0001"),
            "location_id": "SITE-1",
            "evse_uid": "CS-1*1",
            "authorization_reference": REFERENCE,
        }
        assert (await command(ptp, "START_SESSION", start))["data"]["result"] == "REJECTED"
        assert await _payment(server) is None  # no hold for a terminal that serves nothing

        on = await _api(server, "POST", "/api/ocpi/terminals/T-0001/activate")
        assert on.status_code == 200
        assert on.json()["active"] is True
        (activation,) = await eventually(
            lambda: _pushed(ptp, "POST", "payments/terminals/activate"), 30
        )
        assert activation["terminal_id"] == "T-0001"
        listed = (await _api(server, "GET", "/api/ocpi/terminals")).json()
        assert [(t["terminal_id"], t["active"], t["evse_uids"]) for t in listed] == [
            ("T-0001", True, ["CS-1*1"])
        ]


async def _pushed(emsp: Emsp, method: str, path: str) -> tuple[dict[str, Any]] | None:
    """The body the PTP received (in a tuple: a deactivation's body is empty)."""
    return next(((b,) for m, p, b in emsp.pushes if (m, p) == (method, path)), None)
