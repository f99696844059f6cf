"""TransactionEvent scenarios through the real session and services (DESIGN §2 rule 4)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from forecourt.domain.events import StationEventKind
from forecourt.domain.tokens import TokenRecord
from forecourt.domain.transactions import StopReason, Transaction, TransactionState
from forecourt.ports.repositories import TransactionFilter
from tests.support.harness import ProtocolRig

T0 = datetime(2026, 11, 21, 11, 0, 0, tzinfo=UTC)
_ids = itertools.count(1)


def stamp(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def register(minutes: float, wh: float, context: str = "Sample.Periodic") -> dict[str, Any]:
    return {
        "timestamp": stamp(minutes),
        "sampledValue": [
            {
                "value": wh,
                "context": context,
                "measurand": "Energy.Active.Import.Register",
                "unitOfMeasure": {"unit": "Wh"},
            }
        ],
    }


def event(kind: str, minutes: float, seq: int, tx_id: str = "TX-1", **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "eventType": kind,
        "timestamp": stamp(minutes),
        "triggerReason": {"Started": "CablePluggedIn", "Ended": "EVDeparted"}.get(
            kind, "MeterValuePeriodic"
        ),
        "seqNo": seq,
        "transactionInfo": {"transactionId": tx_id},
    }
    payload.update(extra)
    return payload


def token(value: str = "CARD-1") -> dict[str, str]:
    return {"idToken": value, "type": "ISO14443"}


async def send(rig: ProtocolRig, payload: dict[str, Any]) -> list[Any]:
    message_id = f"m{next(_ids)}"
    reply = await rig.call(message_id, "TransactionEvent", payload)
    assert reply[:2] == [3, message_id], reply
    return reply


async def transactions(rig: ProtocolRig) -> list[Transaction]:
    found, count = await rig.services.history.list(TransactionFilter(station_id="CS-1"))
    assert count == len(found)
    return found


async def only_transaction(rig: ProtocolRig) -> Transaction:
    [tx] = await transactions(rig)
    return tx


async def test_full_transaction_started_updated_ended(rig: ProtocolRig) -> None:
    await rig.services.network.add_token(TokenRecord("CARD-1"))
    started = event(
        "Started", 0, 0, evse={"id": 1, "connectorId": 1}, idToken=token(),
        meterValue=[register(0, 1000, "Transaction.Begin")],
        transactionInfo={"transactionId": "TX-1", "chargingState": "EVConnected"},
    )  # fmt: skip
    assert (await send(rig, started))[2] == {"idTokenInfo": {"status": "Accepted"}}
    updated = event(
        "Updated", 10, 1,
        transactionInfo={"transactionId": "TX-1", "chargingState": "Charging"},
        meterValue=[
            {
                "timestamp": stamp(10),
                "sampledValue": [
                    {"value": 5000, "measurand": "Energy.Active.Import.Register"},
                    {"value": 40, "measurand": "SoC", "unitOfMeasure": {"unit": "Percent"}},
                    {"value": 7.2, "measurand": "Power.Active.Import",
                     "unitOfMeasure": {"unit": "kW"}},
                ],
            }
        ],
    )  # fmt: skip
    assert (await send(rig, updated))[2] == {}
    tx = await only_transaction(rig)
    assert (tx.energy_wh, tx.last_soc, tx.peak_power_w) == (4000, 40, 7200)
    assert tx.charging_state == "charging"
    ended = event(
        "Ended", 20, 2, idToken=token(),
        transactionInfo={"transactionId": "TX-1", "stoppedReason": "EVDisconnected"},
        meterValue=[
            {
                "timestamp": stamp(20),
                "sampledValue": [
                    {"value": 1.2, "context": "Transaction.End",
                     "unitOfMeasure": {"unit": "Wh", "multiplier": 4}},
                ],
            }
        ],
    )  # fmt: skip
    assert (await send(rig, ended))[2] == {"idTokenInfo": {"status": "Accepted"}}
    tx = await only_transaction(rig)
    assert tx.state is TransactionState.ENDED
    assert tx.station_tx_id == "TX-1"
    assert (tx.evse_id, tx.connector_id) == (1, 1)
    assert (tx.meter_start_wh, tx.meter_stop_wh, tx.energy_wh) == (1000, 12000, 11000)
    assert tx.stop_reason is StopReason.EV_DISCONNECTED
    assert tx.stopped_at == T0 + timedelta(minutes=20)
    assert tx.last_seq_no == 2


async def test_replayed_started_with_a_new_message_id_is_one_transaction(rig: ProtocolRig) -> None:
    await rig.services.network.add_token(TokenRecord("CARD-1", blocked=True))
    started = event("Started", 0, 0, evse={"id": 1}, idToken=token(),
                    meterValue=[register(0, 500, "Transaction.Begin")])  # fmt: skip
    first = await send(rig, started)
    second = await send(rig, started)
    assert first[2] == second[2] == {"idTokenInfo": {"status": "Blocked"}}
    tx = await only_transaction(rig)
    assert tx.meter_start_wh == 500
    assert tx.energy_wh == 0


async def test_remote_start_id_and_offline_flag_are_kept(rig: ProtocolRig) -> None:
    started = event(
        "Started", 0, 0, evse={"id": 2, "connectorId": 1}, offline=True,
        transactionInfo={"transactionId": "TX-R", "remoteStartId": 42},
    )  # fmt: skip
    assert (await send(rig, started))[2] == {}
    tx = await only_transaction(rig)
    assert (tx.remote_start_id, tx.seen_offline, tx.evse_id) == (42, True, 2)


async def test_ended_for_an_unknown_transaction_is_acknowledged_and_rebuilt(
    rig: ProtocolRig,
) -> None:
    ended = event(
        "Ended", 30, 5, tx_id="TX-GHOST", evse={"id": 1, "connectorId": 1},
        transactionInfo={"transactionId": "TX-GHOST", "stoppedReason": "Remote"},
        meterValue=[register(0, 2000, "Transaction.Begin"), register(30, 9000, "Transaction.End")],
    )  # fmt: skip
    assert (await send(rig, ended))[2] == {}
    tx = await only_transaction(rig)
    assert tx.station_tx_id == "TX-GHOST"
    assert tx.state is TransactionState.ENDED
    assert tx.energy_wh == 7000
    assert tx.stop_reason is StopReason.REMOTE
    [orphan] = await rig.services.network.station_events("CS-1", StationEventKind.ORPHAN_STOP)
    assert orphan.data["station_tx_id"] == "TX-GHOST"


async def test_offline_updates_arriving_late_are_ordered(rig: ProtocolRig) -> None:
    await send(rig, event("Started", 0, 0, evse={"id": 1},
                          meterValue=[register(0, 0, "Transaction.Begin")]))  # fmt: skip
    await send(rig, event("Updated", 30, 3, meterValue=[register(30, 3000)]))
    # Queued while offline, delivered after the newer one (E04/E12): older timestamps.
    await send(rig, event("Updated", 10, 1, offline=True, meterValue=[register(10, 1000)]))
    await send(rig, event("Updated", 20, 2, offline=True, meterValue=[register(20, 2000)]))
    tx = await only_transaction(rig)
    assert tx.energy_wh == 3000
    assert tx.seen_offline
    assert tx.last_seq_no == 3
    await send(rig, event("Ended", 40, 4, meterValue=[register(40, 4000, "Transaction.End")]))
    tx = await only_transaction(rig)
    assert (tx.energy_wh, tx.meter_stop_wh) == (4000, 4000)


async def test_register_reset_mid_session_is_recorded_and_energy_kept(rig: ProtocolRig) -> None:
    await send(rig, event("Started", 0, 0, evse={"id": 1},
                          meterValue=[register(0, 10_000, "Transaction.Begin")]))  # fmt: skip
    await send(rig, event("Updated", 10, 1, meterValue=[register(10, 15_000)]))
    await send(rig, event("Updated", 20, 2, meterValue=[register(20, 2_000)]))  # meter reset
    await send(rig, event("Ended", 30, 3, meterValue=[register(30, 5_000, "Transaction.End")]))
    tx = await only_transaction(rig)
    assert tx.energy_wh == 5_000 + 2_000 + 3_000
    assert tx.register_resets == 1
    resets = await rig.services.network.station_events("CS-1", StationEventKind.REGISTER_RESET)
    assert len(resets) == 1


async def test_duplicate_ended_does_not_double_energy(rig: ProtocolRig) -> None:
    await send(rig, event("Started", 0, 0, evse={"id": 1},
                          meterValue=[register(0, 100, "Transaction.Begin")]))  # fmt: skip
    ended = event("Ended", 10, 1, meterValue=[register(10, 2100, "Transaction.End")])
    await send(rig, ended)
    await send(rig, ended)  # resent with a new message id after a reconnect
    tx = await only_transaction(rig)
    assert tx.energy_wh == 2000
    assert await rig.services.network.station_events("CS-1", StationEventKind.ORPHAN_STOP) == []


async def test_started_without_evse_and_token_later(rig: ProtocolRig) -> None:
    """E03.FR.01: the idToken comes in a later Updated; it is authorised then."""
    await rig.services.network.add_token(TokenRecord("CARD-9"))
    assert (await send(rig, event("Started", 0, 0)))[2] == {}
    reply = await send(rig, event("Updated", 1, 1, idToken=token("CARD-9"),
                                  evse={"id": 3, "connectorId": 2}))  # fmt: skip
    assert reply[2] == {"idTokenInfo": {"status": "Accepted"}}
    reply = await send(rig, event("Updated", 2, 2, idToken=token("CARD-9")))
    assert reply[2] == {"idTokenInfo": {"status": "Accepted"}}
    tx = await only_transaction(rig)
    assert tx.id_token == "CARD-9"


async def test_microsecond_and_offset_timestamps_parse(rig: ProtocolRig) -> None:
    started = event("Started", 0, 0, evse={"id": 1})
    started["timestamp"] = "2026-11-21T12:00:00.123456+01:00"
    await send(rig, started)
    tx = await only_transaction(rig)
    assert tx.started_at == datetime(2026, 11, 21, 11, 0, 0, 123456, tzinfo=UTC)


async def test_meter_values_outside_a_transaction_reach_the_active_one(rig: ProtocolRig) -> None:
    await send(rig, event("Started", 0, 0, evse={"id": 1},
                          meterValue=[register(0, 0, "Transaction.Begin")]))  # fmt: skip
    reply = await rig.call("mv", "MeterValues", {"evseId": 1, "meterValue": [register(5, 800)]})
    assert reply == [3, "mv", {}]
    assert (await only_transaction(rig)).energy_wh == 800


# --- authorization statuses: one rule, reached through Authorize and TransactionEvent -----


async def authorize(rig: ProtocolRig, value: str) -> str:
    reply = await rig.call(f"a{next(_ids)}", "Authorize", {"idToken": token(value)})
    status: str = reply[2]["idTokenInfo"]["status"]
    return status


async def test_unknown_token_is_unknown(rig: ProtocolRig) -> None:
    assert await authorize(rig, "NOBODY") == "Unknown"


async def test_blocked_token_is_blocked(rig: ProtocolRig) -> None:
    await rig.services.network.add_token(TokenRecord("B", blocked=True))
    assert await authorize(rig, "B") == "Blocked"


async def test_expired_token_is_expired(rig: ProtocolRig) -> None:
    await rig.services.network.add_token(TokenRecord("E", expires_at=T0))
    assert await authorize(rig, "E") == "Expired"


async def test_token_in_use_elsewhere_is_concurrent_tx(rig: ProtocolRig) -> None:
    await rig.services.network.add_token(TokenRecord("C"))
    first = event("Started", 0, 0, tx_id="TX-A", evse={"id": 1}, idToken=token("C"))
    assert (await send(rig, first))[2] == {"idTokenInfo": {"status": "Accepted"}}
    assert await authorize(rig, "C") == "ConcurrentTx"
    second = event("Started", 1, 0, tx_id="TX-B", evse={"id": 2}, idToken=token("C"))
    assert (await send(rig, second))[2] == {"idTokenInfo": {"status": "ConcurrentTx"}}


async def test_no_authorization_tokens_are_free_vend(rig: ProtocolRig) -> None:
    free = {"idToken": "", "type": "NoAuthorization"}
    reply = await rig.call("f", "Authorize", {"idToken": free})
    assert reply == [3, "f", {"idTokenInfo": {"status": "Accepted"}}]
