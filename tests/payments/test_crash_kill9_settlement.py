"""C18 crash drill: the server is killed with SIGKILL while a 2.1 station's `NotifySettlement`
is in flight (before our record, or after it but before the station heard the answer), then
restarted on the same SQLite file. The station, never answered, sends the settlement again:
exactly one capture is recorded and the receipt URL is the same one.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from forecourt.domain.money import Money
from forecourt.payments.domain.payments import Payment, PaymentState
from tests.payments.conftest import eventually
from tests.payments.test_crash_kill9 import STATION, drill
from tests.payments.test_e2e_ocpp21_direct_payment import ended, settlement, started, station

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]

REF = "PSP-KILL-1"
TX = "TX-21-KILL"


@pytest.mark.parametrize("kill_at", ["before_record", "after_record"])
async def test_kill9_during_notify_settlement_records_it_once(tmp_path: Path, kill_at: str) -> None:
    async with drill(tmp_path) as d:
        server = await d.start()
        async with station(server, STATION) as cp:
            assert (await cp.call(started(TX, REF))).id_token_info["status"] == "Accepted"
            end = await cp.call(ended(TX, REF))
            priced = await eventually(lambda: d.payment_in(PaymentState.TO_CAPTURE))
            assert end.total_cost == _amount(priced)
            in_flight = asyncio.create_task(cp.call(settlement(REF, end.total_cost)))
            if kill_at == "after_record":  # recorded, but the station never hears the answer
                await eventually(lambda: d.payment_in(PaymentState.CAPTURED))
            else:
                await asyncio.sleep(0)  # the frame is on the wire; our record may not be
            server = await d.kill_and_restart()
            in_flight.cancel()
        async with station(server, STATION) as cp:  # the station retries what was never answered
            again = await cp.call(settlement(REF, end.total_cost))
            replay = await cp.call(settlement(REF, end.total_cost))
        paid = await eventually(lambda: d.payment_in(PaymentState.CAPTURED))
        assert paid.captured_minor == priced.final_minor
        assert again.receipt_url.endswith(f"/receipts/{paid.receipt_code}")
        assert replay.receipt_url == again.receipt_url


def _amount(payment: Payment) -> float:
    return float(Money(payment.final_minor or 0, "USD").to_decimal())
