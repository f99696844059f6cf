"""Payments stay off the hot path (issue 12): a session without a card hold costs one payment
lookup when it starts, not one per meter value; a held session is found once and kept."""

from __future__ import annotations

import asyncio
from pathlib import Path

from forecourt.domain.tokens import TokenRecord
from forecourt.ocpp.v16 import ADAPTER
from forecourt.payments.keys import PAYMENTS
from tests.support.harness import make_rig, make_services
from tests.support.statements import recording

METER_VALUES = 20


def meter_values(tx_id: int, n: int) -> dict[str, object]:
    return {
        "connectorId": 1, "transactionId": tx_id,
        "meterValue": [{"timestamp": f"2026-11-21T11:{n:02d}:00Z",
                        "sampledValue": [{"value": str(1000 * n), "context": "Sample.Periodic"}]}],
    }  # fmt: skip


async def test_meter_values_of_a_session_without_a_hold_query_no_payment(tmp_path: Path) -> None:
    services, database = await make_services(tmp_path)
    payments = services.feature(PAYMENTS)
    try:
        await payments.start()  # subscribes to the transaction events, as `serve` does
        await services.network.add_token(TokenRecord("TAG"))
        rig = await make_rig(services, ADAPTER, "CS-1")
        start = {"connectorId": 1, "idTag": "TAG", "meterStart": 0,
                 "timestamp": "2026-11-21T11:00:00Z"}  # fmt: skip
        with recording(database.engine) as at_start:
            answer = await rig.call("s", "StartTransaction", start)
            await asyncio.sleep(0.05)  # the subscriber runs after the answer
        tx_id = answer[2]["transactionId"]
        with recording(database.engine) as flood:
            for n in range(1, METER_VALUES + 1):
                assert (await rig.call(f"m{n}", "MeterValues", meter_values(tx_id, n)))[0] == 3
            await asyncio.sleep(0.05)
    finally:
        await payments.stop()
        await database.dispose()

    assert at_start.on("payments"), "the start looks for the session's card payment"
    assert flood.on("payments") == [], "no payment query per meter value"


def transaction_event(seq: int, kwh: float, cost: float | None = None) -> dict[str, object]:
    """A 2.1 TransactionEvent; ``cost``: the station's own running cost (``costDetails``)."""
    at = f"2026-11-21T12:{seq:02d}:00Z"
    event: dict[str, object] = {
        "eventType": "Started" if seq == 0 else "Updated",
        "timestamp": at,
        "triggerReason": "CablePluggedIn" if seq == 0 else "MeterValuePeriodic",
        "seqNo": seq,
        "transactionInfo": {"transactionId": "TX-HOT-21"},
        "evse": {"id": 1, "connectorId": 1},
        "meterValue": [{"timestamp": at, "sampledValue": [
            {"value": kwh, "unitOfMeasure": {"unit": "kWh"}}]}],
    }  # fmt: skip
    if cost is not None:
        total = {"currency": "USD", "typeOfCost": "NormalCost", "total": {"inclTax": cost}}
        usage = {"energy": kwh * 1000, "chargingTime": 60 * seq, "idleTime": 0}
        event["costDetails"] = {"totalCost": total, "totalUsage": usage}
    return event


async def test_running_cost_details_cost_nothing_unless_sent_and_are_flagged_once(
    tmp_path: Path,
) -> None:
    """OCPP 2.1 Updated events: no costDetails, no statement of the cost check or pricing; a
    running mismatch is priced and recorded once, then only looked up (not priced again)."""
    from forecourt.ocpp.v21 import ADAPTER as V21
    from forecourt.payments.ports import TariffBinding
    from tests.payments.conftest import TARIFF

    services, database = await make_services(tmp_path)
    payments = services.feature(PAYMENTS)
    pricing = ("station_cost_checks", "session_tariffs", "tariff_revisions", "meter_values")
    try:
        await payments.tariffs.publish(TARIFF)
        await payments.tariffs.bind(TariffBinding("STD"))
        rig = await make_rig(services, V21, "CS-21")
        assert (await rig.call("s", "TransactionEvent", transaction_event(0, 100.0)))[0] == 3
        with recording(database.engine) as plain:
            for seq in range(1, 6):
                event = transaction_event(seq, 100.0 + seq)
                assert (await rig.call(f"u{seq}", "TransactionEvent", event))[0] == 3
        with recording(database.engine) as agreeing:
            # 6 kWh x $0.45 + $1.00 = $3.70, 8.25 % tax: $4.01 (ours, at the event's time)
            await rig.call("a", "TransactionEvent", transaction_event(6, 106.0, cost=4.01))
        with recording(database.engine) as first_mismatch:
            await rig.call("m1", "TransactionEvent", transaction_event(7, 107.0, cost=9.99))
        with recording(database.engine) as again:
            await rig.call("m2", "TransactionEvent", transaction_event(8, 108.0, cost=9.99))
        checks = await payments.cost_checks.list(flagged_only=False)
    finally:
        await database.dispose()

    assert all(plain.on(table) == [] for table in pricing[:3]), "no costDetails: no cost check"
    assert agreeing.on("session_tariffs")[0] == "SELECT", "a running cost is priced"
    assert "INSERT" not in agreeing.on("station_cost_checks"), "agreeing: nothing stored"
    assert "INSERT" in first_mismatch.on("station_cost_checks")
    assert again.on("station_cost_checks") == ["SELECT"], "flagged already: looked up"
    assert again.on("session_tariffs") == [], "flagged already: not priced again"
    (check,) = checks
    assert (check.running, check.flagged, check.station_minor) == (True, True, 999)
