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
