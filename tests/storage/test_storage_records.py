"""Contract: meter samples, station events, commands, tokens and API keys."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from forecourt.domain.commands import CommandKind, CommandRecord, CommandStatus
from forecourt.domain.errors import Conflict, NotFound
from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.domain.metering import Measurand, MeterSample, ReadingContext
from forecourt.domain.tokens import TokenKind, TokenRecord
from forecourt.ports.repositories import StoredSample
from forecourt.storage import Database

from .factories import T0, at, make_station, make_tx


def energy(seconds: float, wh: float, tx_id: int | None, **fields: Any) -> StoredSample:
    """An import-register sample of CP-1 EVSE 1; ``fields`` override the sample's attributes."""
    sample = MeterSample(at(seconds), Measurand.ENERGY_IMPORT_REGISTER, wh, "Wh")
    return StoredSample("CP-1", 1, tx_id, replace(sample, **fields))


@pytest.fixture
async def tx_id(database: Database) -> int:
    async with database.unit_of_work() as uow:
        await uow.stations.add(make_station())
        tx = await uow.transactions.add(make_tx())
        await uow.commit()
    return tx.id


async def test_meter_samples_are_stored_once(database: Database, tx_id: int) -> None:
    batch = [
        energy(0, 100.0, tx_id),
        energy(0, 100.0, tx_id, phase="L1"),
        energy(0, 100.0, tx_id, context=ReadingContext.TRANSACTION_BEGIN),
        energy(0, 100.0, tx_id, location="inlet"),
        energy(0, 100.0, tx_id, measurand=Measurand.POWER_IMPORT, unit="W"),
        energy(0, 100.0, None),
        energy(1, 150.0, tx_id),
        energy(1, 150.0, tx_id),  # duplicate inside the batch
    ]
    async with database.unit_of_work() as uow:
        assert await uow.meter.add(batch) == 7
        assert await uow.meter.add(batch) == 0  # a replay adds nothing
        assert await uow.meter.add([energy(0, 100.0, None), energy(2, 200.0, tx_id)]) == 1
        assert await uow.meter.add([]) == 0
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert len(await uow.meter.for_transaction(tx_id)) == 7


async def test_a_register_read_higher_at_the_same_instant_raises_the_stored_value(
    database: Database, tx_id: int
) -> None:
    power = energy(0, 5_000.0, tx_id, measurand=Measurand.POWER_IMPORT, unit="W")
    async with database.unit_of_work() as uow:
        assert await uow.meter.add([energy(0, 100.0, tx_id), power]) == 2
        assert await uow.meter.add([energy(0, 100.0, tx_id)]) == 0  # a replay
        assert await uow.meter.add([energy(0, 90.0, tx_id)]) == 0  # an older reading, late
        assert await uow.meter.add([energy(0, 150.0, tx_id)]) == 1  # coarse clock: newer
        assert await uow.meter.add([energy(0, 180.0, tx_id), energy(0, 120.0, tx_id)]) == 1
        assert await uow.meter.add([replace(power, sample=replace(power.sample, value=6e3))]) == 0
        await uow.commit()
    async with database.unit_of_work() as uow:
        read = await uow.meter.for_transaction(tx_id)
    assert sorted((s.measurand.value, s.value) for s in read) == [
        ("energy_import_register", 180.0),  # one row: the register's highest reading
        ("power_import", 5_000.0),  # power is not cumulative: the first stands
    ]


async def test_meter_for_transaction_is_in_time_order(database: Database, tx_id: int) -> None:
    samples = [energy(s, 100.0 * s, tx_id) for s in (30, 10, 20)]
    soc = energy(15, 55.5, tx_id, measurand=Measurand.SOC, unit="%", phase="N")
    async with database.unit_of_work() as uow:
        await uow.meter.add([*samples, soc, energy(5, 1.0, None)])
        await uow.commit()
    async with database.unit_of_work() as uow:
        read = await uow.meter.for_transaction(tx_id)
        assert await uow.meter.for_transaction(tx_id + 1) == []
    assert read == [samples[1].sample, soc.sample, samples[2].sample, samples[0].sample]
    assert read[0].phase is None
    assert read[1].phase == "N"


async def test_meter_latest_for_station_newest_first(database: Database, tx_id: int) -> None:
    samples = [energy(s, 10.0 * s, tx_id if s % 2 else None) for s in range(6)]
    other = StoredSample("CP-2", 1, None, samples[5].sample)
    async with database.unit_of_work() as uow:
        await uow.meter.add([*samples, other])
        await uow.commit()
    async with database.unit_of_work() as uow:
        latest = await uow.meter.latest_for_station("CP-1", limit=3)
        assert len(await uow.meter.latest_for_station("CP-1")) == 6
    assert latest == [samples[5], samples[4], samples[3]]
    assert latest[1].transaction_id is None


async def test_station_events_filter_newest_first(database: Database) -> None:
    events = [
        StationEvent("CP-1", StationEventKind.BOOT, at(0), {"reason": "PowerUp"}),
        StationEvent("CP-1", StationEventKind.SECURITY, at(20), {"type": "X", "n": [1, 2]}),
        StationEvent("CP-9", StationEventKind.SECURITY, at(10), {}),  # unknown station: logged
        StationEvent("CP-1", StationEventKind.BOOT, at(30), {"nested": {"a": None}}),
    ]
    async with database.unit_of_work() as uow:
        ids = [await uow.events.add(event) for event in events]
        await uow.commit()
    stored = [
        StationEvent(e.station_id, e.kind, e.at, e.data, i)
        for e, i in zip(events, ids, strict=True)
    ]
    async with database.unit_of_work() as uow:
        assert await uow.events.list() == [stored[3], stored[1], stored[2], stored[0]]
        assert await uow.events.list("CP-1", StationEventKind.BOOT) == [stored[3], stored[0]]
        assert await uow.events.list(kind=StationEventKind.SECURITY) == [stored[1], stored[2]]
        assert await uow.events.list("CP-1", limit=1) == [stored[3]]


async def test_commands_round_trip_and_list(database: Database) -> None:
    record = CommandRecord(
        "CP-1", CommandKind.RESET, {"hard": True}, T0, requested_by="ops@example.com"
    )
    async with database.unit_of_work() as uow:
        stored = await uow.commands.add(record)
        later = await uow.commands.add(CommandRecord("CP-2", CommandKind.CLEAR_CACHE, {}, at(5)))
        await uow.commit()
    assert stored is record
    assert record.id > 0
    assert later.id > record.id
    record.status = CommandStatus.CALL_ERROR
    record.result = {"values": [{"key": "HeartbeatInterval", "value": "300"}]}
    record.error = "NotImplemented"
    record.completed_at = at(2)
    async with database.unit_of_work() as uow:
        await uow.commands.save(record)
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert await uow.commands.get(record.id) == record
        assert await uow.commands.get(999_999) is None
        assert await uow.commands.list() == [later, record]
        assert await uow.commands.list("CP-1") == [record]
        assert await uow.commands.list(limit=1) == [later]
        with pytest.raises(NotFound):
            await uow.commands.save(CommandRecord("CP-1", CommandKind.RESET, {}, T0, id=999_999))


async def test_tokens_round_trip_conflict_and_groups(database: Database) -> None:
    card = TokenRecord("04A1B2", TokenKind.RFID, group="fleet-7", label="van 3")
    async with database.unit_of_work() as uow:
        await uow.tokens.add(card)
        await uow.tokens.add(TokenRecord("04A1B3", group="fleet-7"))
        await uow.tokens.add(TokenRecord("EMAID-1", TokenKind.EMAID, allow_concurrent=True))
        with pytest.raises(Conflict, match="token '04A1B2' already exists"):
            await uow.tokens.add(TokenRecord("04A1B2"))
        await uow.commit()
    card.blocked, card.expires_at, card.group = True, at(86400), None
    async with database.unit_of_work() as uow:
        await uow.tokens.save(card)
        with pytest.raises(NotFound):
            await uow.tokens.save(TokenRecord("nope"))
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert await uow.tokens.get("04A1B2") == card
        assert await uow.tokens.get("nope") is None
        assert [t.value for t in await uow.tokens.list()] == ["04A1B2", "04A1B3", "EMAID-1"]
        assert await uow.tokens.group_members("fleet-7") == ["04A1B3"]
        assert await uow.tokens.group_members("none") == []


async def test_api_keys_add_lookup_and_revoke(database: Database) -> None:
    async with database.unit_of_work() as uow:
        ops = await uow.api_keys.add("ops", "fc_ab12", "hash-1", "admin", T0)
        viewer = await uow.api_keys.add("dash", "fc_cd34", "hash-2", "viewer", at(1))
        twin = await uow.api_keys.add("twin", "fc_ab12", "hash-3", "viewer", at(2))
        await uow.commit()
    assert (ops.id, ops.revoked, ops.role, ops.created_at) == (ops.id, False, "admin", T0)
    async with database.unit_of_work() as uow:
        assert await uow.api_keys.revoke(viewer.id) is True
        assert await uow.api_keys.revoke(viewer.id) is True
        assert await uow.api_keys.revoke(999_999) is False
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert await uow.api_keys.by_prefix("fc_ab12") == [ops, twin]
        assert await uow.api_keys.by_prefix("fc_zz") == []
        keys = await uow.api_keys.list()
    assert [(k.name, k.revoked) for k in keys] == [("ops", False), ("dash", True), ("twin", False)]
