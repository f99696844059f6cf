"""Contract: monitors, monitor templates, display messages, desired settings and drift checks
(SQLite and PostgreSQL)."""

from __future__ import annotations

from forecourt.domain.device import MessagePriority, MessageState, MonitorKind
from forecourt.domain.device_state import (
    MessageStatus,
    MonitorSource,
    MonitorTemplate,
    StationMessage,
    StationMonitor,
)
from forecourt.domain.drift import DesiredSetting, DriftCheck, DriftItem, DriftState
from forecourt.storage import Database

from .factories import T0, at


def monitor(monitor_id: int | None, key: str, status: str = "accepted") -> StationMonitor:
    return StationMonitor(
        "CP-1", key, MonitorKind.UPPER_THRESHOLD, 70.5, 4, status, MonitorSource.SET, T0,
        evse_id=1, monitor_id=monitor_id,
    )  # fmt: skip


async def test_monitors_replace_by_id_and_refusals_by_key(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.device.put_monitors([monitor(1, "EVSE.Power"), monitor(None, "A.B", "duplicate")])
        await uow.device.put_monitors([monitor(1, "EVSE.Power"), monitor(None, "A.B", "rejected")])
        await uow.device.put_monitors([monitor(2, "EVSE.Voltage")])
        await uow.commit()
    async with database.unit_of_work() as uow:
        stored = await uow.device.monitors("CP-1")
        assert [(m.monitor_id, m.key, m.status) for m in stored] == [
            (1, "EVSE.Power", "accepted"),
            (None, "A.B", "rejected"),
            (2, "EVSE.Voltage", "accepted"),
        ]
        assert (stored[0].value, stored[0].evse_id, stored[0].updated_at) == (70.5, 1, T0)
        await uow.device.remove_monitors("CP-1", [1, 9])
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert [m.monitor_id for m in await uow.device.monitors("CP-1")] == [None, 2]
        assert await uow.device.monitors("CP-2") == []


async def test_templates(database: Database) -> None:
    async with database.unit_of_work() as uow:
        added = await uow.device.add_template(
            MonitorTemplate("DC-150", "EVSE.Power", MonitorKind.DELTA, 500.0, 6, 1)
        )
        await uow.device.add_template(MonitorTemplate("AC-22", "A.B", MonitorKind.PERIODIC, 60))
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert [t.key for t in await uow.device.templates("DC-150")] == ["EVSE.Power"]
        assert len(await uow.device.templates()) == 2
        assert await uow.device.remove_template(added.id)
        assert not await uow.device.remove_template(added.id)
        await uow.commit()


async def test_messages_replace_by_id(database: Database) -> None:
    message = StationMessage(
        "CP-1", 7001, "Closed", MessagePriority.ALWAYS_FRONT, MessageStatus.ACCEPTED, T0,
        state=MessageState.IDLE, end="2026-12-07T14:00:00Z",
    )  # fmt: skip
    async with database.unit_of_work() as uow:
        await uow.device.put_message(message)
        message.text, message.updated_at = "Closed until 14:00", at(60)
        await uow.device.put_message(message)
        await uow.commit()
    async with database.unit_of_work() as uow:
        [stored] = await uow.device.messages("CP-1")
        assert (stored.text, stored.state, stored.end) == (
            "Closed until 14:00",
            MessageState.IDLE,
            "2026-12-07T14:00:00Z",
        )
        await uow.device.remove_message("CP-1", 7001)
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert await uow.device.messages("CP-1") == []


async def test_desired_settings_and_drift_checks(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.drift.put_desired(DesiredSetting("AC-22", "HeartbeatInterval", "60"))
        second = await uow.drift.put_desired(DesiredSetting("AC-22", "HeartbeatInterval", "90"))
        items = [DriftItem("HeartbeatInterval", "90", None, DriftState.MISSING, fixed=True)]
        await uow.drift.save(DriftCheck("CP-1", T0, items))
        await uow.drift.save(DriftCheck("CP-1", at(60), error="offline"))
        await uow.commit()
    async with database.unit_of_work() as uow:
        [setting] = await uow.drift.desired("AC-22")  # the second replaced the first
        assert (setting.id, setting.value) == (second.id, "90")
        latest = await uow.drift.latest("CP-1")
        assert latest == DriftCheck("CP-1", at(60), [], "offline")
        await uow.drift.save(DriftCheck("CP-1", at(90), items))
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert await uow.drift.all_latest() == [DriftCheck("CP-1", at(90), items)]
        assert await uow.drift.latest("CP-2") is None
