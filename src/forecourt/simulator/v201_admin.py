"""OCPP 2.0.1 administration calls answered by the simulated station: custom reports (B08),
network profiles (B09) and transaction status (E14)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from forecourt.simulator.dialect import optional, require
from forecourt.simulator.host import StationHost
from forecourt.simulator.rpc import Answer, Payload
from forecourt.simulator.settings import Setting, VariableKey

ReportSender = Callable[[int, list[tuple[VariableKey, Setting]]], Awaitable[None]]
#: Slots a simulated station keeps connection profiles in.
PROFILE_SLOTS = range(1, 9)


class V201Administration:
    def __init__(self, station: StationHost, send_report: ReportSender) -> None:
        self.station = station
        self._send_report = send_report
        self.network_profiles: dict[int, Payload] = {}

    async def get_report(self, payload: Payload) -> Answer:
        request_id = require(payload, "requestId", int)
        criteria = optional(payload, "componentCriteria", list) or []
        wanted = optional(payload, "componentVariable", list) or []
        entries = [
            (key, setting)
            for key, setting in self.station.settings.variables.items()
            if _meets(criteria) and (not wanted or any(_names(item, key) for item in wanted))
        ]
        if not entries:
            return Answer({"status": "EmptyResultSet"})
        return Answer({"status": "Accepted"}, partial(self._send_report, request_id, entries))

    async def set_network_profile(self, payload: Payload) -> Answer:
        slot = require(payload, "configurationSlot", int)
        profile = require(payload, "connectionData", dict)
        url = profile.get("ocppCsmsUrl")
        valid_url = isinstance(url, str) and url.startswith(("ws://", "wss://"))
        if slot not in PROFILE_SLOTS or not valid_url:
            return Answer({"status": "Rejected"})
        self.network_profiles[slot] = profile
        return Answer({"status": "Accepted"})

    async def get_transaction_status(self, payload: Payload) -> Answer:
        transaction_id = optional(payload, "transactionId", str)
        queued = [
            item
            for item in self.station.uplink.outbox
            if item.action == "TransactionEvent"
            and transaction_id in (None, _transaction_of(item.payload))
        ]
        answer: Payload = {"messagesInQueue": bool(queued)}
        if transaction_id is not None:
            answer["ongoingIndicator"] = self.station.find_session(transaction_id) is not None
        return Answer(answer)


def _meets(criteria: list[object]) -> bool:
    """The simulated station's components are all enabled, available and active, and
    none has a problem."""
    return "Problem" not in criteria


def _names(item: object, key: VariableKey) -> bool:
    """Does a requested ComponentVariable name this variable?"""
    if not isinstance(item, dict):
        return False
    component = item.get("component") or {}
    evse = component.get("evse") or {}
    if component.get("name") != key[0] or evse.get("id", key[1]) != key[1]:
        return False
    variable = item.get("variable")
    return variable is None or variable.get("name") == key[3]


def _transaction_of(payload: Payload) -> object:
    info = payload.get("transactionInfo")
    return info.get("transactionId") if isinstance(info, dict) else None
