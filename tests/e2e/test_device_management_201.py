"""Device management over the wire with an independent 2.0.1 station (the `ocpp` package):
monitors set and refused, templates after boot, monitoring reports, NotifyEvent published for
detectors, display messages set/listed/cleared, customer information in parts, configuration
drift found after boot and corrected."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from ocpp.routing import after, on
from ocpp.v201 import ChargePoint, call, call_result
from ocpp.v201.enums import Action
from websockets.asyncio.client import connect

from forecourt.domain.commands import CommandStatus, ConfigKey
from forecourt.domain.device import (
    CustomerInformation,
    MessagePriority,
    MonitorKind,
    MonitorSpec,
)
from forecourt.domain.device_state import MessageStatus, MonitorTemplate, Preset, preset_message
from forecourt.domain.events import DomainEvent
from tests.e2e.conftest import PASSWORD, STATION, basic_auth
from tests.support.server import RunningServer

KNOWN = {("ChargingStation", "Temperature"), ("EVSE", "Power")}
TEMPERATURE = ConfigKey.parse("ChargingStation.Temperature")


class DeviceStation(ChargePoint):  # type: ignore[misc]
    """Knows two variables; keeps its monitors and messages as a station would."""

    def setup(self) -> None:
        self.variables = {("OCPPCommCtrlr", "HeartbeatInterval"): "300"}
        self.monitors: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self.next_id = 1
        self.tasks: set[asyncio.Task[Any]] = set()

    @on(Action.get_variables)  # type: ignore[misc]
    def on_get_variables(self, get_variable_data: list[dict[str, Any]], **_: Any) -> Any:
        results = []
        for item in get_variable_data:
            where = (item["component"]["name"], item["variable"]["name"])
            found = where in self.variables
            result = {"attribute_status": "Accepted" if found else "UnknownVariable",
                      "component": item["component"], "variable": item["variable"]}  # fmt: skip
            if found:
                result["attribute_value"] = self.variables[where]
            results.append(result)
        return call_result.GetVariables(get_variable_result=results)

    @on(Action.set_variables)  # type: ignore[misc]
    def on_set_variables(self, set_variable_data: list[dict[str, Any]], **_: Any) -> Any:
        results = []
        for item in set_variable_data:
            where = (item["component"]["name"], item["variable"]["name"])
            status = "Accepted" if where in self.variables else "UnknownVariable"
            if status == "Accepted":
                self.variables[where] = item["attribute_value"]
            results.append({"attribute_status": status, "component": item["component"],
                            "variable": item["variable"]})  # fmt: skip
        return call_result.SetVariables(set_variable_result=results)

    @on(Action.set_variable_monitoring)  # type: ignore[misc]
    def on_set_monitoring(self, set_monitoring_data: list[dict[str, Any]], **_: Any) -> Any:
        results = []
        for item in set_monitoring_data:
            where = (item["component"]["name"], item["variable"]["name"])
            status = "Accepted" if where in KNOWN else "UnknownVariable"
            result = {
                "status": status,
                "type": item["type"],
                "severity": item["severity"],
                "component": item["component"],
                "variable": item["variable"],
            }
            if status == "Accepted":
                result["id"] = self.next_id
                self.monitors[self.next_id] = item
                self.next_id += 1
            results.append(result)
        return call_result.SetVariableMonitoring(set_monitoring_result=results)

    @on(Action.clear_variable_monitoring)  # type: ignore[misc]
    def on_clear_monitoring(self, id: list[int], **_: Any) -> Any:
        results = [
            {"id": i, "status": "Accepted" if self.monitors.pop(i, None) else "NotFound"}
            for i in id
        ]
        return call_result.ClearVariableMonitoring(clear_monitoring_result=results)

    @on(Action.get_monitoring_report)  # type: ignore[misc]
    def on_get_monitoring_report(self, **_: Any) -> Any:
        return call_result.GetMonitoringReport(status="Accepted")

    @after(Action.get_monitoring_report)  # type: ignore[misc]
    async def report_monitors(self, request_id: int, **_: Any) -> None:
        monitor = [
            {
                "component": item["component"],
                "variable": item["variable"],
                "variable_monitoring": [
                    {"id": i, "transaction": False, "value": item["value"],
                     "type": item["type"], "severity": item["severity"]}
                ],
            }
            for i, item in self.monitors.items()
        ]  # fmt: skip
        await self.call(
            call.NotifyMonitoringReport(
                request_id=request_id, seq_no=0, generated_at="2026-12-07T12:00:00Z",
                monitor=monitor,
            )
        )  # fmt: skip

    @on(Action.set_display_message)  # type: ignore[misc]
    def on_set_display_message(self, message: dict[str, Any], **_: Any) -> Any:
        if message["priority"] == "InFront":
            return call_result.SetDisplayMessage(status="NotSupportedPriority")
        self.messages[message["id"]] = message
        return call_result.SetDisplayMessage(status="Accepted")

    @on(Action.get_display_messages)  # type: ignore[misc]
    def on_get_display_messages(self, **_: Any) -> Any:
        return call_result.GetDisplayMessages(status="Accepted" if self.messages else "Unknown")

    @after(Action.get_display_messages)  # type: ignore[misc]
    async def report_messages(self, request_id: int, **_: Any) -> None:
        if self.messages:
            infos = list(self.messages.values())
            await self.call(call.NotifyDisplayMessages(request_id=request_id, message_info=infos))

    @on(Action.clear_display_message)  # type: ignore[misc]
    def on_clear_display_message(self, id: int, **_: Any) -> Any:
        found = self.messages.pop(id, None) is not None
        return call_result.ClearDisplayMessage(status="Accepted" if found else "Unknown")

    @on(Action.customer_information)  # type: ignore[misc]
    def on_customer_information(self, **_: Any) -> Any:
        return call_result.CustomerInformation(status="Accepted")

    @after(Action.customer_information)  # type: ignore[misc]
    async def send_customer_data(self, request_id: int, **_: Any) -> None:
        for seq, (text, tbc) in enumerate([("Card RFID-0001: ", True), ("3 sessions", False)]):
            await self.call(
                call.NotifyCustomerInformation(
                    data=text, seq_no=seq, generated_at="2026-12-07T12:00:00Z",
                    request_id=request_id, tbc=tbc,
                )
            )  # fmt: skip


@asynccontextmanager
async def station(server: RunningServer) -> AsyncIterator[DeviceStation]:
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=["ocpp2.0.1"],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        cp = DeviceStation(STATION, ws)
        cp.setup()
        runner = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            runner.cancel()


async def boot(cp: DeviceStation) -> None:
    await cp.call(
        call.BootNotification(
            charging_station={"model": "DC-150", "vendor_name": "Test"}, reason="PowerUp"
        )
    )


async def eventually(check: Any, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_monitors_are_set_refused_reported_and_cleared(server: RunningServer) -> None:
    device = server.forecourt.services.device
    async with station(server) as cp:
        await boot(cp)
        record = await device.set_monitors(
            STATION,
            [
                MonitorSpec(TEMPERATURE, MonitorKind.UPPER_THRESHOLD, 70.0, severity=3),
                MonitorSpec(ConfigKey.parse("ChargingStation.Humidity"), MonitorKind.DELTA, 5.0),
            ],
        )
        assert record.status is CommandStatus.REJECTED
        assert record.error == "1 of 2 monitors refused"
        monitors = await device.monitors(STATION)
        assert [(m.key, m.status, m.monitor_id) for m in monitors] == [
            ("ChargingStation.Temperature", "accepted", 1),
            ("ChargingStation.Humidity", "unknown_variable", None),
        ]
        assert monitors[0].value == 70.0

        report = await device.request_monitoring_report(STATION)
        assert report.status is CommandStatus.ACCEPTED

        async def reported() -> bool:
            return any(m.source == "report" for m in await device.monitors(STATION))

        await eventually(reported)

        cleared = await device.clear_monitors(STATION, [1])
        assert cleared.status is CommandStatus.ACCEPTED
        left = await device.monitors(STATION)
        assert [(m.key, m.status) for m in left] == [
            ("ChargingStation.Humidity", "unknown_variable")
        ]
        assert cp.monitors == {}


async def test_templates_are_applied_after_boot(server: RunningServer) -> None:
    device = server.forecourt.services.device
    await device.add_template(
        MonitorTemplate("DC-150", "ChargingStation.Temperature", MonitorKind.UPPER_THRESHOLD, 80)
    )
    async with station(server) as cp:
        await boot(cp)

        async def applied() -> bool:
            return any(m.source == "template" for m in await device.monitors(STATION))

        await eventually(applied)
    [monitor] = await device.monitors(STATION)
    assert (monitor.key, monitor.value, monitor.status) == (
        "ChargingStation.Temperature",
        80.0,
        "accepted",
    )
    assert cp.monitors[1]["value"] == 80


async def test_notify_event_is_published_for_detectors(server: RunningServer) -> None:
    services = server.forecourt.services
    seen: list[DomainEvent] = []

    async def collect(event: DomainEvent) -> None:
        seen.append(event)

    unsubscribe = services.ctx.bus.subscribe("device.event", collect)
    try:
        async with station(server) as cp:
            await boot(cp)
            await services.device.set_monitors(
                STATION, [MonitorSpec(TEMPERATURE, MonitorKind.UPPER_THRESHOLD, 70.0, severity=2)]
            )
            await cp.call(
                call.NotifyEvent(
                    generated_at="2026-12-07T12:00:00Z",
                    seq_no=0,
                    event_data=[
                        {
                            "event_id": 5,
                            "timestamp": "2026-12-07T12:00:00Z",
                            "trigger": "Alerting",
                            "actual_value": "85",
                            "event_notification_type": "CustomMonitor",
                            "component": {"name": "ChargingStation"},
                            "variable": {"name": "Temperature"},
                            "variable_monitoring_id": 1,
                        }
                    ],
                )
            )

            async def published() -> bool:
                return bool(seen)

            await eventually(published)
    finally:
        unsubscribe()
    data = seen[0].data
    assert (data["key"], data["trigger"], data["actual_value"]) == (
        "ChargingStation.Temperature",
        "alerting",
        "85",
    )
    assert (data["monitor_id"], data["severity"], data["cleared"]) == (1, 2, False)


async def test_display_messages_set_listed_refused_and_cleared(server: RunningServer) -> None:
    device = server.forecourt.services.device
    async with station(server) as cp:
        await boot(cp)
        maintenance = preset_message(Preset.MAINTENANCE, "14:00")
        assert (await device.set_message(STATION, maintenance)).status is CommandStatus.ACCEPTED
        assert cp.messages[7001]["priority"] == "AlwaysFront"
        price = preset_message(Preset.PRICE_CHANGE, "$0.49/kWh")
        assert price.priority is MessagePriority.IN_FRONT
        refused = await device.set_message(STATION, price)
        assert refused.status is CommandStatus.NOT_SUPPORTED

        stored = {m.message_id: m for m in await device.messages(STATION)}
        assert stored[7001].status is MessageStatus.ACCEPTED
        assert stored[7001].text == "Out of service for maintenance until 14:00"
        assert (stored[7002].status, stored[7002].reason) == (
            MessageStatus.REFUSED,
            "NotSupportedPriority",
        )

        assert (await device.request_messages(STATION)).status is CommandStatus.ACCEPTED

        async def reported() -> bool:
            messages = await device.messages(STATION)
            return any(m.status is MessageStatus.REPORTED for m in messages)

        await eventually(reported)

        cleared = await device.clear_message(STATION, 7001)
        assert cleared.status is CommandStatus.ACCEPTED
        assert 7001 not in {m.message_id for m in await device.messages(STATION)}
        assert cp.messages == {}


async def test_customer_information_arrives_in_parts(server: RunningServer) -> None:
    device = server.forecourt.services.device
    async with station(server) as cp:
        await boot(cp)
        request = CustomerInformation(41, report=True, id_token="RFID-0001")
        record = await device.request_customer_information(STATION, request)
        assert record.status is CommandStatus.ACCEPTED

        async def complete() -> bool:
            try:
                return (await device.customer_report(STATION, 41)).complete
            except Exception:
                return False

        await eventually(complete)
    report = await device.customer_report(STATION, 41)
    assert (report.text, report.parts) == ("Card RFID-0001: 3 sessions", 2)


async def test_configuration_drift_is_found_and_corrected(server: RunningServer) -> None:
    drift = server.forecourt.services.drift
    await drift.set_desired("DC-150", "OCPPCommCtrlr.HeartbeatInterval", "120")
    await drift.set_desired("DC-150", "OCPPCommCtrlr.Nope", "1")
    async with station(server) as cp:
        await boot(cp)  # the boot reads the configuration back

        async def checked() -> bool:
            return await drift.latest(STATION) is not None

        await eventually(checked)
        found = await drift.latest(STATION)
        assert found is not None
        assert [(i.key, i.state.value, i.actual) for i in found.items] == [
            ("OCPPCommCtrlr.HeartbeatInterval", "differs", "300"),
            ("OCPPCommCtrlr.Nope", "missing", None),
        ]
        records, after = await drift.correct(STATION)
    assert [r.status for r in records] == [CommandStatus.ACCEPTED]
    assert cp.variables[("OCPPCommCtrlr", "HeartbeatInterval")] == "120"
    assert [i.state.value for i in after.items] == ["matches", "missing"]
