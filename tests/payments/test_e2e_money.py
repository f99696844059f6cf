"""Money correctness over the wire: idle fee, replayed stops, provider timeouts, and a server
that dies between "session ended" and "captured" (restarted on the same SQLite file)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from forecourt.domain.money import Money
from forecourt.payments.domain.costing import LineKind
from forecourt.payments.domain.payments import Payment, PaymentState
from forecourt.services.access import Role
from tests.payments.conftest import eventually, payment_in_state, prepare_network, provider_of
from tests.payments.raw16 import Raw16, raw16, stamp
from tests.support.server import RunningServer, running_server

pytestmark = pytest.mark.asyncio

STATION = "PAY-RAW"
TOKEN = "TERMRAW0001"


def settings(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {
        "call_timeout": 3.0,
        "payments_sweep_interval": 0.2,
        "test_provider_state_file": tmp_path / "provider.json",
        **extra,
    }


async def tap(server: RunningServer) -> None:
    body, headers = provider_of(server).terminal_authorize(
        station_id=STATION, evse_id=1, id_token=TOKEN, amount=Money(5000, "USD")
    )
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        answer = await http.post("/api/payments/webhooks/test", content=body, headers=headers)
    assert answer.status_code == 200, answer.text


async def charge_then_idle(station: Raw16, t0: datetime) -> dict[str, Any]:
    """25 kWh in 30 min, then plugged in without charging until t0 + 55 min 30 s."""
    start = await station.call(
        "StartTransaction",
        {"connectorId": 1, "idTag": TOKEN, "meterStart": 1_000_000, "timestamp": stamp(t0)},
    )
    assert start["idTagInfo"]["status"] == "Accepted"
    tx_id = start["transactionId"]
    for minute in range(5, 56, 5):
        wh = 1_000_000 + 25_000 * min(minute, 30) / 30
        at = t0 + timedelta(minutes=minute)
        await station.call(
            "MeterValues",
            {"connectorId": 1, "transactionId": tx_id, "meterValue": [station.energy(at, wh)]},
        )
    return {
        "transactionId": tx_id,
        "idTag": TOKEN,
        "meterStop": 1_025_000,
        "timestamp": stamp(t0 + timedelta(minutes=55, seconds=30)),
        "reason": "EVDisconnected",
    }


async def test_idle_fee_and_replayed_stop_capture_once(tmp_path: Path) -> None:
    async with running_server(tmp_path, **settings(tmp_path)) as server:
        services = server.forecourt.services
        await prepare_network(services, STATION)
        await tap(server)
        t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        async with raw16(server.ws_url, STATION) as station:
            stop = await charge_then_idle(station, t0)
            await station.call("StopTransaction", stop, message_id="stop-1")
            await station.call("StopTransaction", stop, message_id="stop-1")  # same message
            await station.call("StopTransaction", stop)  # replayed after a reconnect
            paid = await eventually(lambda: payment_in_state(services, PaymentState.CAPTURED))
            await station.call("StopTransaction", stop)  # and once more, after capture
        await asyncio.sleep(0.5)  # give any (wrong) second capture its chance
        lines = {line["kind"]: line["amount_minor"] for line in paid.breakdown["lines"]}
        # 25 kWh x 0.45 = 11.25; fee 1.00; idle 25 whole min - 10 grace = 15 x 0.40 = 6.00;
        # tax 8.25 % of 18.25 = 1.505625 -> 1.51; total 19.76.
        assert lines == {
            LineKind.ENERGY.value: 1125,
            LineKind.SESSION_FEE.value: 100,
            LineKind.IDLE.value: 600,
            LineKind.TAX.value: 151,
        }
        assert paid.final_minor == paid.captured_minor == 1976
        assert provider_of(server).captures_applied(paid.provider_ref) == 1
        hold = provider_of(server)
        assert [h.captured for h in hold.holds()] == [Money(1976, "USD")]


async def test_provider_timeout_at_capture_is_retried_with_the_same_key(tmp_path: Path) -> None:
    faults = "capture=lost*1"  # the first capture happens but its answer is lost
    async with running_server(
        tmp_path, **settings(tmp_path, test_provider_faults=faults)
    ) as server:
        services = server.forecourt.services
        await prepare_network(services, STATION)
        await tap(server)
        t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        async with raw16(server.ws_url, STATION) as station:
            await station.call("StopTransaction", await charge_then_idle(station, t0))
        key = (await services.api_keys.create("ops", Role.ADMIN))[0]

        async def recover() -> Payment | None:
            """An operator's "recover now", asked until the payment is captured: whether the
            session's own capture, a background pass or this call makes the retry is timing;
            what the payment and the provider record afterwards is not."""
            async with httpx.AsyncClient(base_url=server.http_url) as http:
                answer = await http.post(
                    "/api/payments/recover", headers={"Authorization": f"Bearer {key}"}
                )
            assert answer.status_code == 200, answer.text
            return await payment_in_state(services, PaymentState.CAPTURED)

        paid = await eventually(recover)
        provider = provider_of(server)
        # one lost answer, recorded on the payment; then one retry with the same key, which the
        # provider answered from its first (applied) capture instead of taking the money again
        assert (paid.attempts, paid.last_error) == (1, "test provider: capture answer lost (fault)")
        captures = [used for operation, used in provider.calls if operation == "capture"]
        assert captures == [paid.key("capture")] * 2
        assert provider.captures_applied(paid.provider_ref) == 1


async def test_server_killed_between_end_and_capture_captures_once_after_restart(
    tmp_path: Path,
) -> None:
    async with running_server(
        tmp_path, **settings(tmp_path, test_provider_faults="capture=hang")
    ) as server:
        services = server.forecourt.services
        provider = provider_of(server)
        await prepare_network(services, STATION)
        await tap(server)
        t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        async with raw16(server.ws_url, STATION) as station:
            await station.call("StopTransaction", await charge_then_idle(station, t0))
        owed = await eventually(lambda: payment_in_state(services, PaymentState.TO_CAPTURE))
        await eventually(lambda: _provider_captured(provider, owed.provider_ref))
    for task in provider.hung:  # the process is gone: so is the call it was waiting on
        task.cancel()

    async with running_server(tmp_path, **settings(tmp_path)) as restarted:
        services = restarted.forecourt.services
        paid = await eventually(lambda: payment_in_state(services, PaymentState.CAPTURED))
        assert paid.id == owed.id
        assert paid.captured_minor == paid.final_minor == 1976
        assert provider_of(restarted).captures_applied(paid.provider_ref) == 1


async def _provider_captured(provider: Any, ref: str) -> bool:
    return bool(provider.captures_applied(ref) == 1)
