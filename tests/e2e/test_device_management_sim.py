"""The simulator's device model against the real server: a power monitor trips during a
session and the NotifyEvent reaches the bus, refused monitors are kept, display messages and
customer information go both ways; a 1.6 station is told these are 2.0.1 blocks."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from forecourt.domain.commands import CommandStatus, ConfigKey
from forecourt.domain.device import (
    CustomerInformation,
    MonitorKind,
    MonitorSpec,
    SetDisplayMessage,
)
from forecourt.domain.device_state import MessageStatus, Preset, preset_message
from forecourt.domain.errors import NotFound
from forecourt.domain.events import DomainEvent
from forecourt.reliability.domain.model import FaultKind, Severity
from forecourt.reliability.keys import RELIABILITY
from tests.e2e.conftest import STATION, TAG
from tests.e2e.test_simulator_against_server import simulated
from tests.reliability.conftest import wait_ticket
from tests.support.server import RunningServer

POWER = ConfigKey("Power", "EVSE", evse_id=1)


async def eventually(check: Any, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_a_power_monitor_trips_during_a_session(server: RunningServer) -> None:
    services = server.forecourt.services
    events: list[DomainEvent] = []

    async def collect(event: DomainEvent) -> None:
        events.append(event)

    unsubscribe = services.ctx.bus.subscribe("device.event", collect)
    try:
        async with simulated(server, "2.0.1") as station:
            record = await services.device.set_monitors(
                STATION,
                [
                    MonitorSpec(POWER, MonitorKind.UPPER_THRESHOLD, 1000.0, severity=2),
                    MonitorSpec(ConfigKey.parse("ChargingStation.Humidity"), MonitorKind.DELTA, 1),
                    MonitorSpec(ConfigKey.parse("Nowhere.Power"), MonitorKind.DELTA, 1),
                ],
            )
            assert record.status is CommandStatus.REJECTED
            session = station.start_session(1, id_token=TAG)
            assert session is not None
            await session.wait_charging(30)

            async def tripped() -> bool:
                return bool(events)

            await eventually(tripped)
            ticket = await wait_ticket(services, STATION, FaultKind.DEVICE_ALERT)
    finally:
        unsubscribe()
    monitors = await services.device.monitors(STATION)
    assert [(m.key, m.status) for m in monitors] == [
        ("EVSE.Power", "accepted"),
        ("ChargingStation.Humidity", "unknown_variable"),
        ("Nowhere.Power", "unknown_component"),
    ]
    alert = events[0].data
    assert (alert["key"], alert["evse_id"], alert["trigger"]) == ("EVSE.Power", 1, "alerting")
    assert float(alert["actual_value"]) > 1000
    assert alert["severity"] == 2
    assert ticket.severity is Severity.CRITICAL  # the monitor's severity 2: a system failure
    faults = await services.feature(RELIABILITY).tickets.faults(STATION, active=True)
    (fault,) = [f for f in faults if f.kind is FaultKind.DEVICE_ALERT]
    assert fault.evidence["key"] == "EVSE.Power"


async def test_monitoring_report_and_level(server: RunningServer) -> None:
    device = server.forecourt.services.device
    async with simulated(server, "2.0.1"):
        await device.set_monitors(STATION, [MonitorSpec(POWER, MonitorKind.DELTA, 500.0)])
        report = await device.request_monitoring_report(STATION)
        assert report.status is CommandStatus.ACCEPTED

        async def reported() -> bool:
            return any(m.source == "report" for m in await device.monitors(STATION))

        await eventually(reported)
    [monitor] = await device.monitors(STATION)
    assert (monitor.kind, monitor.value, monitor.source) == (MonitorKind.DELTA, 500.0, "report")


async def test_display_messages_and_customer_information(server: RunningServer) -> None:
    device = server.forecourt.services.device
    async with simulated(server, "2.0.1") as station:
        shown = await device.set_message(STATION, preset_message(Preset.OTHER_PORT, "EVSE 2"))
        assert shown.status is CommandStatus.ACCEPTED
        assert station.config.station_id == STATION
        await device.set_message(STATION, SetDisplayMessage(12, "Welcome"))
        assert (await device.request_messages(STATION)).status is CommandStatus.ACCEPTED

        async def reported() -> bool:
            messages = await device.messages(STATION)
            return sum(m.status is MessageStatus.REPORTED for m in messages) == 2

        await eventually(reported)
        assert (await device.clear_message(STATION, 12)).status is CommandStatus.ACCEPTED
        gone = await device.clear_message(STATION, 12)
        assert gone.status is CommandStatus.REJECTED  # Unknown: nothing left to clear

        asked = await device.request_customer_information(
            STATION, CustomerInformation(77, id_token=TAG)
        )
        assert asked.status is CommandStatus.ACCEPTED

        async def complete() -> bool:
            try:
                return (await device.customer_report(STATION, 77)).complete
            except NotFound:
                return False

        await eventually(complete)
    report = await device.customer_report(STATION, 77)
    assert report.text == f"customer {TAG}: 0 active session(s); no other data kept"
    assert [m.message_id for m in await device.messages(STATION)] == [7003]


@pytest.mark.parametrize(
    "send",
    ["set_message", "set_monitors"],
)
async def test_a_16_station_is_told_these_are_201_blocks(server: RunningServer, send: str) -> None:
    device = server.forecourt.services.device
    async with simulated(server, "1.6"):
        if send == "set_message":
            record = await device.set_message(STATION, SetDisplayMessage(1, "Hi"))
        else:
            spec = MonitorSpec(POWER, MonitorKind.DELTA, 1.0)
            record = await device.set_monitors(STATION, [spec])
    assert record.status is CommandStatus.NOT_SUPPORTED
    assert "not supported on OCPP 1.6" in record.error
