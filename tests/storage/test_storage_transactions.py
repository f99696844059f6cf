"""Contract: transactions (ids, uniqueness, lookups, filters, every field round-trips)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forecourt.domain.errors import Conflict, NotFound
from forecourt.domain.metering import RegisterReading
from forecourt.domain.tokens import AuthorizationStatus
from forecourt.domain.transactions import (
    ChargingState,
    PaymentMethod,
    StopReason,
    Transaction,
    TransactionState,
    start_key,
)
from forecourt.ports.repositories import TransactionFilter
from forecourt.storage import Database
from forecourt.storage.tables import transactions

from .factories import T0, at, make_station, make_tx


@pytest.fixture
async def stations(database: Database) -> Database:
    async with database.unit_of_work() as uow:
        for station_id in ("CP-1", "CP-2"):
            await uow.stations.add(make_station(station_id))
        await uow.commit()
    return database


def ended_tx() -> Transaction:
    """A transaction with every optional field set."""
    return make_tx(
        station_tx_id="f7e5a0c2-uuid",
        auth_status=AuthorizationStatus.CONCURRENT_TX,
        meter_start_wh=1000.5,
        state=TransactionState.ENDED,
        stopped_at=at(3600),
        meter_stop_wh=31000.25,
        energy_wh=30000.0,
        register_resets=1,
        last_register=RegisterReading(at(3500), 30900.0),
        stop_reason=StopReason.EV_DISCONNECTED,
        stop_id_token="TOKEN-2",
        last_seq_no=42,
        seen_offline=True,
        start_key=start_key("CP-1", 1, 1, T0, "TOKEN-1"),
        remote_start_id=7,
        peak_power_w=149_000.0,
        last_soc=80.5,
        charging_state=ChargingState.EV_CONNECTED,
        payment_method=PaymentMethod.CARD_AT_DISPENSER,
        updated_at=at(3601),
        power_w=7400.5,
        power_offered_w=11000.0,
        rating_w=0.0,
        vehicle="model-y",
        reconciled_why="newer start",
        start_missing=True,
        extra={"psp_ref": "pi_123"},  # a key this version does not know survives a save
    )


async def test_add_assigns_id_and_wire_id_and_round_trips(stations: Database) -> None:
    async with stations.unit_of_work() as uow:
        first = await uow.transactions.add(make_tx())
        full = ended_tx()
        second = await uow.transactions.add(full)
        await uow.commit()
    assert second is full
    assert full.id > first.id > 0
    assert first.station_tx_id == str(first.id)
    assert full.station_tx_id == "f7e5a0c2-uuid"
    async with stations.unit_of_work() as uow:
        assert await uow.transactions.get(first.id) == first
        assert await uow.transactions.get(full.id) == full
        assert await uow.transactions.get(999_999) is None


async def test_save_round_trips_every_field(stations: Database) -> None:
    async with stations.unit_of_work() as uow:
        tx = await uow.transactions.add(make_tx())
        await uow.commit()
    changed = ended_tx()
    changed.id, changed.station_tx_id = tx.id, tx.station_tx_id
    async with stations.unit_of_work() as uow:
        await uow.transactions.save(changed)
        await uow.commit()
    async with stations.unit_of_work() as uow:
        assert await uow.transactions.get(tx.id) == changed
        with pytest.raises(NotFound):
            await uow.transactions.save(make_tx(id=999_999))


async def test_typed_fields_are_stored_as_the_details_json_always_held_them(
    stations: Database,
) -> None:
    async with stations.unit_of_work() as uow:
        full = await uow.transactions.add(ended_tx())
        plain = await uow.transactions.add(make_tx())
        await uow.commit()
    query = select(transactions.c.id, transactions.c.details, transactions.c.charging_state)
    async with stations.engine.connect() as connection:
        rows = {row.id: row for row in await connection.execute(query)}
    assert rows[full.id].details == {
        "psp_ref": "pi_123",
        "power_w": "7400.5",
        "power_offered_w": "11000.0",
        "rating_w": "0.0",
        "vehicle": "model-y",
        "reconciled": "newer start",
        "reconstructed": "start missing",
    }
    assert rows[full.id].charging_state == "ev_connected"
    assert (rows[plain.id].details, rows[plain.id].charging_state) == ({}, "")


async def test_duplicate_station_tx_id_or_start_key_is_conflict(stations: Database) -> None:
    key = start_key("CP-1", 1, 1, T0, "TOKEN-1")
    async with stations.unit_of_work() as uow:
        await uow.transactions.add(make_tx(station_tx_id="A", start_key=key))
        with pytest.raises(Conflict, match="already exists"):
            await uow.transactions.add(make_tx(station_tx_id="A"))
        with pytest.raises(Conflict, match="already exists"):
            await uow.transactions.add(make_tx(start_key=key))
        # Same ids on another station, and empty start keys, are no conflict.
        await uow.transactions.add(make_tx("CP-2", station_tx_id="A", start_key=key))
        await uow.transactions.add(make_tx())
        await uow.transactions.add(make_tx())
        await uow.commit()
    async with stations.unit_of_work() as uow:
        assert await uow.transactions.count(TransactionFilter()) == 4


async def test_transaction_for_unknown_station_is_conflict(stations: Database) -> None:
    async with stations.unit_of_work() as uow:
        with pytest.raises(Conflict, match="does not exist"):
            await uow.transactions.add(make_tx("CP-404"))


async def test_lookups_by_wire_id_start_key_and_for_update(stations: Database) -> None:
    key = start_key("CP-1", 1, 1, T0, "TOKEN-1")
    async with stations.unit_of_work() as uow:
        tx = await uow.transactions.add(make_tx(start_key=key))
        await uow.transactions.add(make_tx("CP-2"))
        await uow.commit()
    async with stations.unit_of_work() as uow:
        assert await uow.transactions.by_station_tx_id("CP-1", tx.station_tx_id) == tx
        assert await uow.transactions.by_station_tx_id("CP-2", tx.station_tx_id) is None
        assert await uow.transactions.by_start_key("CP-1", key) == tx
        assert await uow.transactions.by_start_key("CP-2", key) is None
        assert await uow.transactions.by_start_key("CP-2", "") is None
        assert await uow.transactions.get_for_update(tx.id) == tx
        assert await uow.transactions.get_for_update(999_999) is None
        assert await uow.transactions.by_station_tx_id_for_update("CP-1", tx.station_tx_id) == tx
        assert await uow.transactions.by_station_tx_id_for_update("CP-2", "nope") is None


async def test_the_per_message_lookup_and_save_round_trip_every_field(stations: Database) -> None:
    """On SQLite the MeterValues path reads and writes on the driver (ADR 0019): the same
    values as the Core path, every type (datetimes, enums, JSON, booleans, NULLs)."""
    full = ended_tx()
    async with stations.unit_of_work() as uow:
        await uow.transactions.add(full)
        await uow.commit()
    async with stations.unit_of_work() as uow:
        located = await uow.transactions.by_station_tx_id_for_update("CP-1", full.station_tx_id)
        assert located == full
        assert located is not None
        located.energy_wh, located.updated_at = 31_500.0, at(4000)
        located.last_register = RegisterReading(at(3990), 31_400.0)
        located.extra = {"psp_ref": "pi_456"}
        await uow.transactions.save(located)
        await uow.commit()
    async with stations.unit_of_work() as uow:
        assert await uow.transactions.get(full.id) == located


async def test_active_for_tokens_and_on_evse(stations: Database) -> None:
    async with stations.unit_of_work() as uow:
        one = await uow.transactions.add(make_tx(token="A"))
        two = await uow.transactions.add(make_tx("CP-2", 2, token="B"))
        await uow.transactions.add(make_tx(token="A", state=TransactionState.ENDED))
        await uow.transactions.add(make_tx(token=None))
        await uow.transactions.add(make_tx(token="C"))
        await uow.commit()
    async with stations.unit_of_work() as uow:
        assert await uow.transactions.active_for_tokens(["A", "B", "Z"]) == [one, two]
        assert await uow.transactions.active_for_tokens([]) == []
        on_evse = await uow.transactions.active_on_evse("CP-1", 1)
        assert [t.id_token for t in on_evse] == ["A", None, "C"]
        assert await uow.transactions.active_on_evse("CP-2", 1) == []


async def test_list_and_count_filter_order_and_page(stations: Database) -> None:
    async with stations.unit_of_work() as uow:
        for minute, (station_id, token, state) in enumerate(
            [
                ("CP-1", "A", TransactionState.ENDED),
                ("CP-1", "B", TransactionState.ACTIVE),
                ("CP-2", "A", TransactionState.ENDED),
                ("CP-1", "A", TransactionState.ACTIVE),
            ]
        ):
            tx = make_tx(station_id, token=token, state=state, started_at=at(60 * minute))
            await uow.transactions.add(tx)
        await uow.commit()

    async def started(flt: TransactionFilter) -> list[int]:
        async with stations.unit_of_work() as uow:
            found = await uow.transactions.list(flt)
            assert await uow.transactions.count(flt) >= len(found)
        return [int((t.started_at - T0).total_seconds() // 60) for t in found]

    assert await started(TransactionFilter()) == [3, 2, 1, 0]
    assert await started(TransactionFilter(station_id="CP-1")) == [3, 1, 0]
    assert await started(TransactionFilter(state=TransactionState.ENDED)) == [2, 0]
    assert await started(TransactionFilter(id_token="A", station_id="CP-1")) == [3, 0]
    assert await started(TransactionFilter(since=at(60), until=at(180))) == [2, 1]
    assert await started(TransactionFilter(limit=2, offset=1)) == [2, 1]
    async with stations.unit_of_work() as uow:
        assert await uow.transactions.count(TransactionFilter(limit=1)) == 4
        assert await uow.transactions.count(TransactionFilter(id_token="A")) == 3
        assert await uow.transactions.count(TransactionFilter(since=at(61))) == 2
