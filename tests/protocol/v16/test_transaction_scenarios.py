"""1.6 transaction correctness: ordering, replays, resets, drift; energy never lost or doubled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from forecourt.domain.events import StationEventKind
from forecourt.domain.tokens import TokenRecord
from forecourt.domain.transactions import StopReason, TransactionState
from forecourt.ocpp.v16 import ADAPTER
from tests.support.harness import ProtocolRig, SteppingClock, make_rig, make_services


@pytest.fixture
async def rig(tmp_path: Path) -> ProtocolRig:
    services, _ = await make_services(tmp_path, clock=SteppingClock())
    await services.network.add_token(TokenRecord("TAG"))
    return await make_rig(services, ADAPTER)


def register_at(minute: int, kwh: float) -> dict[str, Any]:
    return {
        "timestamp": f"2026-11-21T11:{minute:02d}:00Z",
        "sampledValue": [{"value": str(kwh), "unit": "kWh", "context": "Sample.Periodic"}],
    }


async def start(rig: ProtocolRig, meter_start: int = 10_000) -> int:
    reply = await rig.call(
        "s", "StartTransaction",
        {"connectorId": 1, "idTag": "TAG", "meterStart": meter_start,
         "timestamp": "2026-11-21T11:00:00Z"},
    )  # fmt: skip
    tx_id: int = reply[2]["transactionId"]
    return tx_id


async def meter(rig: ProtocolRig, tx_id: int, *values: dict[str, Any], mid: str = "m") -> None:
    payload = {"connectorId": 1, "transactionId": tx_id, "meterValue": list(values)}
    assert (await rig.call(mid, "MeterValues", payload))[0] == 3


async def stop(rig: ProtocolRig, tx_id: int, meter_stop: int, mid: str = "x") -> list[Any]:
    return await rig.call(
        mid, "StopTransaction",
        {"transactionId": tx_id, "meterStop": meter_stop, "timestamp": "2026-11-21T11:40:00Z",
         "reason": "EVDisconnected"},
    )  # fmt: skip


async def test_late_offline_meter_values_are_ordered_by_timestamp(rig: ProtocolRig) -> None:
    tx_id = await start(rig)
    await meter(rig, tx_id, register_at(30, 25.0), mid="m1")  # newest first...
    await meter(
        rig, tx_id, register_at(10, 15.0), register_at(20, 20.0), mid="m2"
    )  # ...then queued
    tx = (await rig.services.history.detail(tx_id)).transaction
    assert tx.energy_wh == pytest.approx(15_000)
    await stop(rig, tx_id, 30_000)
    tx = (await rig.services.history.detail(tx_id)).transaction
    assert (tx.state, tx.energy_wh, tx.stop_reason) == (
        TransactionState.ENDED,
        pytest.approx(20_000),
        StopReason.EV_DISCONNECTED,
    )


async def test_replayed_meter_values_and_duplicate_stop_do_not_double_count(
    rig: ProtocolRig,
) -> None:
    tx_id = await start(rig)
    await meter(rig, tx_id, register_at(10, 15.0), mid="a")
    await meter(rig, tx_id, register_at(10, 15.0), mid="b")  # same reading, new message id
    await stop(rig, tx_id, 18_000, mid="c")
    await stop(rig, tx_id, 18_000, mid="d")  # station retried after a lost answer
    detail = await rig.services.history.detail(tx_id)
    assert detail.transaction.energy_wh == pytest.approx(8_000)
    assert len(detail.samples) == 1


async def test_register_reset_mid_session_is_recorded_and_energy_kept(rig: ProtocolRig) -> None:
    tx_id = await start(rig, meter_start=10_000)
    await meter(rig, tx_id, register_at(10, 14.0), mid="a")  # +4 kWh
    await meter(rig, tx_id, register_at(20, 1.0), mid="b")  # meter reset: +1 kWh since zero
    await stop(rig, tx_id, 3_000)  # +2 kWh
    tx = (await rig.services.history.detail(tx_id)).transaction
    assert (tx.energy_wh, tx.register_resets) == (pytest.approx(7_000), 1)
    events = await rig.services.network.station_events("CS-1", StationEventKind.REGISTER_RESET)
    assert events
    assert events[0].data["transaction_id"] == tx_id


async def test_station_clock_drift_is_recorded(rig: ProtocolRig) -> None:
    payload = {"connectorId": 1, "errorCode": "NoError", "status": "Available",
               "timestamp": "2026-11-21T12:05:00Z"}  # fmt: skip
    await rig.call("d1", "StatusNotification", payload)  # the rig's clock says 12:00:00
    station = await rig.services.network.station("CS-1")
    assert station.clock_drift_s == pytest.approx(300)
    events = await rig.services.network.station_events("CS-1", StationEventKind.CLOCK_DRIFT)
    assert events[0].data["drift_s"] == pytest.approx(300)


async def test_status_is_kept_live_and_in_history(rig: ProtocolRig) -> None:
    for mid, status, error in (("a", "Available", "NoError"), ("b", "Faulted", "GroundFailure")):
        await rig.call(mid, "StatusNotification",
                       {"connectorId": 2, "errorCode": error, "status": status})  # fmt: skip
    station = await rig.services.network.station("CS-1")
    connector = station.evses[0].connectors[0]
    assert (connector.evse_id, connector.status.value, connector.error_code) == (
        2,
        "faulted",
        "GroundFailure",
    )
    history = await rig.services.network.status_history("CS-1")
    assert [h.report.detail for h in history] == ["Faulted", "Available"]


async def test_concurrent_use_of_a_token_is_refused(rig: ProtocolRig) -> None:
    await start(rig)
    reply = await rig.call(
        "c2", "StartTransaction",
        {"connectorId": 2, "idTag": "TAG", "meterStart": 0, "timestamp": "2026-11-21T11:05:00Z"},
    )  # fmt: skip
    assert reply[2]["idTagInfo"]["status"] == "ConcurrentTx"


def signed_pair(minute: int, wh: int, context: str, signed: str | None) -> dict[str, Any]:
    """A Raw register reading and, when ``signed``, its SignedData twin (Eichrecht 1.6)."""
    raw = {"value": str(wh), "unit": "Wh", "context": context}
    values: list[dict[str, Any]] = [raw]
    if signed is not None:
        values.append({**raw, "value": signed, "format": "SignedData"})
    return {"timestamp": f"2026-11-21T11:{minute:02d}:00Z", "sampledValue": values}


async def test_signed_start_and_end_readings_are_kept_and_periodic_ones_are_not(
    rig: ProtocolRig,
) -> None:
    tx_id = await start(rig)
    begin = signed_pair(0, 10_000, "Transaction.Begin", 'OCMF|{"RD":[{"RV":10}]}|{}')
    lonely = {  # a signed value without the Raw reading it signs: not a reading, not kept
        "timestamp": "2026-11-21T11:00:00Z",
        "sampledValue": [{"value": "AB12", "format": "SignedData", "context": "Transaction.Begin",
                          "measurand": "Voltage"}],
    }  # fmt: skip
    await meter(rig, tx_id, lonely, begin, mid="b")
    await meter(rig, tx_id, signed_pair(10, 15_000, "Sample.Periodic", "PERIODIC"), mid="p")
    payload = {
        "transactionId": tx_id, "meterStop": 18_000, "timestamp": "2026-11-21T11:40:00Z",
        "transactionData": [signed_pair(40, 18_000, "Transaction.End", "C0FFEE")],
    }  # fmt: skip
    assert (await rig.call("x", "StopTransaction", payload))[0] == 3
    tx = (await rig.services.history.detail(tx_id)).transaction  # as stored
    assert tx.signed_start is not None
    assert tx.signed_end is not None
    assert (tx.signed_start.signed_data, tx.signed_start.encoding_method) == (
        'OCMF|{"RD":[{"RV":10}]}|{}',
        "OCMF",  # the format the data names itself
    )
    assert (tx.signed_start.plain_data, tx.signed_end.plain_data) == ("10000 Wh", "18000 Wh")
    assert (tx.signed_end.signed_data, tx.signed_end.encoding_method) == ("C0FFEE", "")
    assert tx.energy_wh == pytest.approx(8_000)  # a signed twin is never energy twice
