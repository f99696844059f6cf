"""OCPP 2.0.1 device model of the simulated station: variable monitors (N02-N08), display
messages (O01-O06) and customer information (N09/N10), as a real station keeps them.

Monitors are accepted only on variables the station has (else UnknownComponent /
UnknownVariable, as a station answers); threshold and delta monitors on ``EVSE.Power`` watch
the live charging power and raise NotifyEvent when it crosses the threshold (and again,
``cleared``, when it returns).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from itertools import count
from typing import Any

from forecourt.simulator.dialect import optional, require
from forecourt.simulator.host import StationHost
from forecourt.simulator.rpc import Answer, Payload
from forecourt.simulator.session import ocpp_timestamp, utc_now
from forecourt.simulator.settings import VariableKey

Handler = Callable[[Payload], Awaitable[Answer]]
MONITOR_TYPES = ("UpperThreshold", "LowerThreshold", "Delta", "Periodic", "PeriodicClockAligned")
LIVE = "Power"  # the variable whose live value (the charging power, W) monitors watch
NUMBERS = ("integer", "decimal")
PART = 2  # messages and monitors per report part, small so that tbc / seqNo get exercised


@dataclass
class Monitor:
    id: int
    key: VariableKey
    type: str
    value: float
    severity: int
    tripped: bool = False
    last: float | None = None  # delta monitors: the value last reported


class V201Device:
    def __init__(self, station: StationHost) -> None:
        self.station = station
        self.monitors: dict[int, Monitor] = {}
        self.messages: dict[int, Payload] = {}
        #: Message formats the screen shows (a 2.1 screen adds QRCODE).
        self.formats: tuple[str, ...] = ("UTF8", "ASCII")
        self.level = 9
        self._ids = count(1)
        self._events = count(1)
        self.handlers: dict[str, Handler] = {
            "SetVariableMonitoring": self._set_monitoring,
            "ClearVariableMonitoring": self._clear_monitoring,
            "SetMonitoringBase": self._set_base,
            "SetMonitoringLevel": self._set_level,
            "GetMonitoringReport": self._monitoring_report,
            "SetDisplayMessage": self._set_message,
            "GetDisplayMessages": self._get_messages,
            "ClearDisplayMessage": self._clear_message,
            "CustomerInformation": self._customer_information,
        }

    # ---------------------------------------------------------------------------- monitors
    async def _set_monitoring(self, payload: Payload) -> Answer:
        results = [self._set_one(item) for item in require(payload, "setMonitoringData", list)]
        return Answer({"setMonitoringResult": results})

    def _set_one(self, item: Any) -> Payload:
        component, variable = item["component"], item["variable"]
        evse = component.get("evse") or {}
        key: VariableKey = (component["name"], evse.get("id"), evse.get("connectorId"),
                            variable["name"])  # fmt: skip
        result: Payload = {
            "type": item["type"], "severity": item["severity"],
            "component": component, "variable": variable,
        }  # fmt: skip
        variables = self.station.settings.variables
        if key not in variables:
            known = key[0] in self.station.settings.component_names()
            result["status"] = "UnknownVariable" if known else "UnknownComponent"
        elif item["type"] not in MONITOR_TYPES[:3] or variables[key].kind not in NUMBERS:
            result["status"] = "UnsupportedMonitorType"  # only numbers, no periodic reports
        elif any(m.key == key and m.type == item["type"] for m in self._others(item.get("id"))):
            result["status"] = "Duplicate"
        else:
            monitor_id = item.get("id") or next(self._ids)
            self.monitors[monitor_id] = Monitor(
                monitor_id, key, item["type"], float(item["value"]), item["severity"]
            )
            result |= {"status": "Accepted", "id": monitor_id}
        return result

    def _others(self, replaced: int | None) -> list[Monitor]:
        return [m for m in self.monitors.values() if m.id != replaced]

    async def _clear_monitoring(self, payload: Payload) -> Answer:
        results = [
            {"id": i, "status": "Accepted" if self.monitors.pop(i, None) else "NotFound"}
            for i in require(payload, "id", list)
        ]
        return Answer({"clearMonitoringResult": results})

    async def _set_base(self, payload: Payload) -> Answer:
        if require(payload, "monitoringBase", str) in ("FactoryDefault", "HardWiredOnly"):
            self.monitors.clear()  # the simulator has no pre-configured monitors
        return Answer({"status": "Accepted"})

    async def _set_level(self, payload: Payload) -> Answer:
        severity = require(payload, "severity", int)
        if not 0 <= severity <= 9:
            return Answer({"status": "Rejected"})
        self.level = severity
        return Answer({"status": "Accepted"})

    async def _monitoring_report(self, payload: Payload) -> Answer:
        request_id = require(payload, "requestId", int)
        monitors = list(self.monitors.values())
        if not monitors:
            return Answer({"status": "EmptyResultSet"})

        async def report() -> None:
            parts = [monitors[i : i + PART] for i in range(0, len(monitors), PART)]
            for seq_no, part in enumerate(parts):
                data = [_monitoring_data(m) for m in part]
                await self._send("NotifyMonitoringReport", {
                    "requestId": request_id, "seqNo": seq_no, "monitor": data,
                    "generatedAt": ocpp_timestamp(utc_now()), "tbc": seq_no < len(parts) - 1,
                })  # fmt: skip

        return Answer({"status": "Accepted"}, report)

    async def watch_power(self, evse_id: int, power_w: float) -> None:
        """A new power reading on ``evse_id``: raise the events its monitors call for."""
        for monitor in list(self.monitors.values()):
            if monitor.key == ("EVSE", evse_id, None, LIVE) and monitor.severity <= self.level:
                await self._check(monitor, power_w)

    async def _check(self, monitor: Monitor, value: float) -> None:
        if monitor.type == "Delta":
            if monitor.last is None or abs(value - monitor.last) >= monitor.value:
                monitor.last = value
                await self._notify(monitor, value, "Delta", cleared=False)
            return
        above = value > monitor.value
        crossed = above if monitor.type == "UpperThreshold" else value < monitor.value
        if crossed != monitor.tripped:
            monitor.tripped = crossed
            await self._notify(monitor, value, "Alerting", cleared=not crossed)

    async def _notify(self, monitor: Monitor, value: float, trigger: str, *, cleared: bool) -> None:
        component: Payload = {"name": monitor.key[0]}
        if monitor.key[1] is not None:
            component["evse"] = {"id": monitor.key[1]}
        event: Payload = {
            "eventId": next(self._events), "timestamp": ocpp_timestamp(utc_now()),
            "trigger": trigger, "actualValue": f"{value:g}", "component": component,
            "variable": {"name": monitor.key[3]}, "variableMonitoringId": monitor.id,
            "eventNotificationType": "CustomMonitor",
        }  # fmt: skip
        if cleared:
            event["cleared"] = True
        self.station.emit(f"monitor {monitor.id}: {monitor.key[3]} = {value:g} ({trigger})")
        await self._send("NotifyEvent", {
            "generatedAt": ocpp_timestamp(utc_now()), "seqNo": 0, "eventData": [event],
        })  # fmt: skip

    # ---------------------------------------------------------------------- display messages
    async def _set_message(self, payload: Payload) -> Answer:
        message = require(payload, "message", dict)
        if message.get("transactionId") and not self.station.find_session(message["transactionId"]):
            return Answer({"status": "UnknownTransaction"})
        if message["message"].get("format") not in self.formats:
            return Answer({"status": "NotSupportedMessageFormat"})
        self.messages[message["id"]] = message
        self.station.emit(f"display {message['id']}: {message['message']['content']}")
        return Answer({"status": "Accepted"})

    async def _get_messages(self, payload: Payload) -> Answer:
        request_id = require(payload, "requestId", int)
        wanted = optional(payload, "id", list)
        priority, state = payload.get("priority"), payload.get("state")
        found = [
            m for m in self.messages.values()
            if (wanted is None or m["id"] in wanted)
            and (priority is None or m["priority"] == priority)
            and (state is None or m.get("state") == state)
        ]  # fmt: skip
        if not found:
            return Answer({"status": "Unknown"})

        async def report() -> None:
            parts = [found[i : i + PART] for i in range(0, len(found), PART)]
            for index, part in enumerate(parts):
                await self._send("NotifyDisplayMessages", {
                    "requestId": request_id, "messageInfo": part, "tbc": index < len(parts) - 1,
                })  # fmt: skip

        return Answer({"status": "Accepted"}, report)

    async def _clear_message(self, payload: Payload) -> Answer:
        found = self.messages.pop(require(payload, "id", int), None) is not None
        return Answer({"status": "Accepted" if found else "Unknown"})

    # ------------------------------------------------------------------ customer information
    async def _customer_information(self, payload: Payload) -> Answer:
        request_id = require(payload, "requestId", int)
        token = (optional(payload, "idToken", dict) or {}).get("idToken")
        who = token or payload.get("customerIdentifier")
        if who is None and "customerCertificate" not in payload:
            return Answer({"status": "Invalid"})
        sessions = [s for s in self.station.active_sessions if token and s.id_token == token]
        parts = [f"customer {who or 'by certificate'}: ",
                 f"{len(sessions)} active session(s); no other data kept"]  # fmt: skip
        if not payload.get("report"):
            parts = ["cleared"]

        async def report() -> None:
            for seq_no, text in enumerate(parts):
                await self._send("NotifyCustomerInformation", {
                    "data": text, "seqNo": seq_no, "requestId": request_id,
                    "generatedAt": ocpp_timestamp(utc_now()), "tbc": seq_no < len(parts) - 1,
                })  # fmt: skip

        return Answer({"status": "Accepted"}, report)

    async def _send(self, action: str, payload: Payload) -> None:
        await self.station.uplink.send_now(action, payload, while_pending=True)


def _monitoring_data(monitor: Monitor) -> Payload:
    component: Payload = {"name": monitor.key[0]}
    if monitor.key[1] is not None:
        component["evse"] = {"id": monitor.key[1]}
    return {
        "component": component,
        "variable": {"name": monitor.key[3]},
        "variableMonitoring": [
            {"id": monitor.id, "transaction": False, "value": monitor.value,
             "type": monitor.type, "severity": monitor.severity}
        ],
    }  # fmt: skip
