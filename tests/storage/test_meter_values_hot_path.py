"""The whole cost of one 1.6 MeterValues inside a transaction (issue 12), every feature started as
``forecourt serve`` starts them: so a later feature or subscriber cannot slow the hot path
unnoticed. Counted, never timed: SQLite's statements (SQLAlchemy hooks) and the bus's events."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from forecourt.domain.events import DomainEvent
from forecourt.domain.tokens import TokenRecord
from forecourt.features import FEATURES
from forecourt.ocpp.v16 import ADAPTER
from tests.support.harness import make_rig, make_services
from tests.support.statements import periodic, recording

METER_VALUES = 10


def meter_values(tx_id: int, n: int) -> dict[str, object]:
    return {
        "connectorId": 1, "transactionId": tx_id,
        "meterValue": [{"timestamp": f"2026-11-21T11:{n:02d}:00Z",
                        "sampledValue": [{"value": str(1000 * n), "context": "Sample.Periodic",
                                          "measurand": "Energy.Active.Import.Register"}]}],
    }  # fmt: skip


async def test_a_meter_value_costs_three_statements_one_event_and_no_subscriber_query(
    tmp_path: Path,
) -> None:
    services, database = await make_services(tmp_path)
    events: list[DomainEvent] = []

    async def seen(event: DomainEvent) -> None:
        events.append(event)

    services.ctx.bus.subscribe("", seen)
    for feature in FEATURES:  # every subscriber a served CSMS has
        await feature.start(services.feature(feature.key))
    try:
        await services.network.add_token(TokenRecord("TAG"))
        rig = await make_rig(services, ADAPTER, "CS-1")
        start = {"connectorId": 1, "idTag": "TAG", "meterStart": 0,
                 "timestamp": "2026-11-21T11:00:00Z"}  # fmt: skip
        tx_id = (await rig.call("s", "StartTransaction", start))[2]["transactionId"]
        await _until_quiet(database)  # the start's subscribers and background passes are done
        events.clear()
        with recording(database.engine) as flood:
            for n in range(1, METER_VALUES + 1):
                assert (await rig.call(f"m{n}", "MeterValues", meter_values(tx_id, n)))[0] == 3
            await asyncio.sleep(0.05)  # and so are the meter values' subscribers
    finally:
        for feature in reversed(FEATURES):
            await feature.stop(services.feature(feature.key))
        await database.dispose()

    # a timer's pass that fell inside the window (named periodic:…) is not the messages' work
    data = [
        s
        for s, task in zip(flood.statements, flood.tasks, strict=True)
        if not _bookkeeping(s) and not periodic(task)
    ]
    per_message = [_verb_and_table(s) for s in data[:3]]
    assert per_message == [
        ("SELECT", "transactions"), ("INSERT", "meter_samples"), ("UPDATE", "transactions"),
    ], data  # fmt: skip
    assert len(data) == 3 * METER_VALUES, data  # nothing else: no subscriber reads or writes
    assert [e.topic for e in events] == ["transaction.updated"] * METER_VALUES


async def test_the_update_of_a_meter_value_sets_only_the_columns_it_changed(
    tmp_path: Path,
) -> None:
    services, database = await make_services(tmp_path)
    try:
        await services.network.add_token(TokenRecord("TAG"))
        rig = await make_rig(services, ADAPTER, "CS-1")
        start = {"connectorId": 1, "idTag": "TAG", "meterStart": 0,
                 "timestamp": "2026-11-21T11:00:00Z"}  # fmt: skip
        tx_id = (await rig.call("s", "StartTransaction", start))[2]["transactionId"]
        assert (await rig.call("m1", "MeterValues", meter_values(tx_id, 1)))[0] == 3
        with recording(database.engine) as sql:
            assert (await rig.call("m2", "MeterValues", meter_values(tx_id, 2)))[0] == 3
        stored = (await services.history.detail(tx_id)).transaction
    finally:
        await database.dispose()
    (update,) = [s for s in sql.statements if s.startswith("UPDATE transactions")]
    assigned = re.findall(r"(\w+)=\?", update.split(" WHERE ")[0])
    # the register reading and the energy it brings; never the whole row (28 columns)
    assert set(assigned) <= {"updated_at", "energy_wh", "last_register_at", "last_register_wh",
                             "peak_power_w", "details"}, update  # fmt: skip
    assert stored.energy_wh == 2000
    assert stored.last_register is not None
    assert stored.last_register.wh == 2000


async def _until_quiet(database: Any) -> None:
    """Wait until 0.2 s pass without a statement: what the start set off (subscribers, a
    feature's first background pass) must not be counted as the meter values' work."""
    for _ in range(50):
        with recording(database.engine) as window:
            await asyncio.sleep(0.2)
        if not [s for s in window.statements if not _bookkeeping(s)]:
            return
    raise AssertionError("the database never went quiet after the start")


def _bookkeeping(statement: str) -> bool:
    return statement.split()[0].upper() in ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")


def _verb_and_table(statement: str) -> tuple[str, Any]:
    match = re.search(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)', statement)
    return statement.split()[0].upper(), match.group(1) if match else None
