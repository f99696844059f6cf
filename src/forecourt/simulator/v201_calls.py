"""OCPP 2.0.1 CSMS-initiated calls answered by the simulated station."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Protocol

from forecourt.simulator import maintenance, meter, smart_charging
from forecourt.simulator.certificates import StationCertificates
from forecourt.simulator.dialect import data_transfer, not_implemented, optional, require
from forecourt.simulator.firmware_publishing import Publisher
from forecourt.simulator.host import StationHost, new_password
from forecourt.simulator.rpc import Answer, OcppCallError, Payload
from forecourt.simulator.session import (
    ChargingSession,
    EvseState,
    StopCause,
    ocpp_timestamp,
    utc_now,
)
from forecourt.simulator.settings import Setting, VariableKey
from forecourt.simulator.v201_admin import V201Administration
from forecourt.simulator.v201_device import V201Device

Handler = Callable[[Payload], Awaitable[Answer]]
FollowUp = Callable[[], Awaitable[None]]
REPORT_CHUNK = 4  # variables per NotifyReport, small so that tbc / seqNo get exercised


class V201Announcer(Protocol):
    """What the calls use of the 2.0.1 dialect (v201.py, which imports this module)."""

    async def announce_all(self, *, while_pending: bool = False) -> None: ...
    async def announce_status(
        self, evse: EvseState, *, force: bool = False, while_pending: bool = False
    ) -> None: ...
    def trigger_transaction_event(self, session: ChargingSession) -> None: ...


class V201Calls:
    def __init__(self, station: StationHost, dialect: V201Announcer) -> None:
        self.station = station
        self.dialect = dialect
        self.admin = V201Administration(station, self._notify_report)
        self._handlers: dict[str, Handler] = {
            "RequestStartTransaction": self._request_start,
            "RequestStopTransaction": self._request_stop,
            "Reset": self._reset,
            "UnlockConnector": self._unlock,
            "ChangeAvailability": self._change_availability,
            "TriggerMessage": self._trigger,
            "GetVariables": self._get_variables,
            "SetVariables": self._set_variables,
            "GetBaseReport": self._get_base_report,
            "ClearCache": self._clear_cache,
            "DataTransfer": self._data_transfer,
            **maintenance.handlers201(maintenance.Maintenance(station), self._notify),
            **Publisher(station, self._notify).handlers,  # firmware publishing (L03/L04)
            "GetReport": self.admin.get_report,
            "SetNetworkProfile": self.admin.set_network_profile,
            "GetTransactionStatus": self.admin.get_transaction_status,
            "SetChargingProfile": partial(smart_charging.v201_set, station),
            "ClearChargingProfile": partial(smart_charging.v201_clear, station),
            "GetCompositeSchedule": partial(smart_charging.v201_composite, station),
            "CertificateSigned": self._certificate_signed,
        }
        self.certificates = StationCertificates(station.config)
        self.device = V201Device(station)  # monitors, display messages, customer information
        self._handlers |= self.device.handlers

    async def _notify(self, action: str, payload: Payload) -> None:
        await self.station.uplink.send_now(action, payload)

    async def handle(self, action: str, payload: Payload) -> Answer:
        handler = self._handlers.get(action)
        if handler is None:
            raise not_implemented(action)
        return await handler(payload)

    # ------------------------------------------------------------- transactions
    async def _request_start(self, payload: Payload) -> Answer:
        token = require(payload, "idToken", dict)
        remote_start_id = require(payload, "remoteStartId", int)
        evse = self.station.free_evse(optional(payload, "evseId", int))
        if evse is None or not isinstance(token.get("idToken"), str):
            return Answer({"status": "Rejected"})

        async def start() -> None:
            self.station.start_session(
                evse.evse_id,
                id_token=token["idToken"],
                id_token_type=str(token.get("type", "Central")),
                remote=True,
                remote_start_id=remote_start_id,
            )

        return Answer({"status": "Accepted"}, start)

    async def _request_stop(self, payload: Payload) -> Answer:
        session = self.station.find_session(require(payload, "transactionId", str))
        if session is None:
            return Answer({"status": "Rejected"})
        session.request_stop(StopCause.REMOTE)
        return Answer({"status": "Accepted"})

    async def _reset(self, payload: Payload) -> Answer:
        kind = require(payload, "type", str)
        evse_id = optional(payload, "evseId", int)
        if evse_id is not None:
            return self._reset_evse(kind, evse_id)
        if kind == "Immediate":
            return Answer({"status": "Accepted"}, partial(self.station.reset, StopCause.HARD_RESET))
        if self.station.active_sessions:
            return Answer({"status": "Scheduled"}, self.station.reset_when_idle)
        return Answer({"status": "Accepted"}, partial(self.station.reset, StopCause.SOFT_RESET))

    def _reset_evse(self, kind: str, evse_id: int) -> Answer:
        """B11/B12 for one EVSE: its session ends (Immediate) or it waits for it (OnIdle)."""
        evse = self._evse(evse_id)
        if evse is None:
            return Answer({"status": "Rejected"})
        session = evse.session
        if session is not None and kind != "Immediate":
            return Answer({"status": "Scheduled"})  # B12.FR.05: after its transaction ends
        if session is not None:
            session.request_stop(StopCause.HARD_RESET)
        announce = partial(self.dialect.announce_status, evse, force=True)
        return Answer({"status": "Accepted"}, announce)

    async def _unlock(self, payload: Payload) -> Answer:
        evse = self.station.find_evse(require(payload, "evseId", int))
        connector_id = require(payload, "connectorId", int)
        if evse is None or not 1 <= connector_id <= len(evse.config.connectors):
            return Answer({"status": "UnknownConnector"})
        session = evse.session
        if session is not None and session.charging.is_set():
            return Answer({"status": "OngoingAuthorizedTransaction"})  # F05.FR.02
        if session is not None:
            session.request_stop(StopCause.UNLOCK)
        return Answer({"status": "Unlocked"})

    async def _change_availability(self, payload: Payload) -> Answer:
        operative = require(payload, "operationalStatus", str) == "Operative"
        target = optional(payload, "evse", dict)
        evse_id = target.get("id") if target else None
        if evse_id is not None and (not isinstance(evse_id, int) or not self._evse(evse_id)):
            return Answer({"status": "Rejected"})
        status = self.station.change_availability(evse_id or None, operative)
        return Answer({"status": status}, self.dialect.announce_all)

    # ------------------------------------------------------------------ trigger
    async def _trigger(self, payload: Payload) -> Answer:
        requested = require(payload, "requestedMessage", str)
        target = optional(payload, "evse", dict) or {}
        evse_id = target.get("id")
        evses = self.station.evses
        if evse_id is not None:
            evse = self._evse(evse_id) if isinstance(evse_id, int) else None
            if evse is None:
                return Answer({"status": "Rejected"})
            evses = [evse]
        follow_up = self._follow_up(requested, evses)
        if follow_up is None:
            return Answer({"status": "NotImplemented"})
        return Answer({"status": "Accepted"}, follow_up)

    def _follow_up(self, requested: str, evses: list[EvseState]) -> FollowUp | None:
        uplink = self.station.uplink
        follow_ups: dict[str, FollowUp] = {
            "BootNotification": uplink.trigger_boot,
            "Heartbeat": uplink.later("Heartbeat", {}),
            "StatusNotification": partial(self._trigger_status, evses),
            "MeterValues": partial(self._trigger_meter_values, evses),
            "TransactionEvent": partial(self._trigger_transaction_events, evses),
            "SignChargingStationCertificate": partial(
                self.certificates.renew,
                uplink.call,
                {"certificateType": "ChargingStationCertificate"},
            ),
        }
        return follow_ups.get(requested)

    async def _certificate_signed(self, payload: Payload) -> Answer:
        return self.certificates.certificate_signed(payload)

    async def _trigger_status(self, evses: list[EvseState]) -> None:
        for evse in evses:
            await self.dialect.announce_status(evse, force=True, while_pending=True)

    async def _trigger_meter_values(self, evses: list[EvseState]) -> None:
        selection = self.station.settings.keys["MeterValuesSampledData"].current()
        for evse in evses:
            session = evse.session
            sample = (
                meter.take_sample(session, meter.TRIGGER)
                if session
                else meter.idle_sample(evse, meter.TRIGGER)
            )
            meter_value = meter.render_v201(sample, selection)
            payload = {"evseId": evse.evse_id, "meterValue": [meter_value]}
            await self.station.uplink.send_now("MeterValues", payload, while_pending=True)

    async def _trigger_transaction_events(self, evses: list[EvseState]) -> None:
        sessions: list[ChargingSession] = [e.session for e in evses if e.session]
        for session in sessions:
            if session.transaction_open:
                self.dialect.trigger_transaction_event(session)

    # ------------------------------------------------------------- device model
    async def _get_variables(self, payload: Payload) -> Answer:
        requests = require(payload, "getVariableData", list)
        return Answer({"getVariableResult": [self._get_variable(item) for item in requests]})

    def _get_variable(self, item: object) -> Payload:
        key, result = self._lookup(item)
        if "attributeStatus" in result:
            return result
        setting = self.station.settings.variables[key]
        result["attributeStatus"] = "Accepted"
        result["attributeValue"] = setting.current()[:2500]
        return result

    async def _set_variables(self, payload: Payload) -> Answer:
        requests = require(payload, "setVariableData", list)
        results: list[Payload] = []
        then = None
        for item in requests:
            if _is_password(item):  # A01: then the station reconnects with the new one
                changed = new_password(self.station, str(item.get("attributeValue", "")))
                result = {k: item[k] for k in ("component", "variable")}
                results.append({**result, "attributeStatus": changed.payload["status"]})
                then = changed.then
            else:
                results.append(self._set_variable(item))
        return Answer({"setVariableResult": results}, then)

    def _set_variable(self, item: object) -> Payload:
        key, result = self._lookup(item)
        if "attributeStatus" in result:
            return result
        value = item.get("attributeValue") if isinstance(item, dict) else None
        store = self.station.settings
        accepted = isinstance(value, str) and store.set_value(
            store.variables[key], value, name=key[3]
        )
        result["attributeStatus"] = "Accepted" if accepted else "Rejected"
        return result

    def _lookup(self, item: object) -> tuple[VariableKey, Payload]:
        """The store key and the result skeleton (with a status when it is not found)."""
        if not isinstance(item, dict):
            raise OcppCallError("FormatViolation", "variable data must be objects")
        component = require(item, "component", dict)
        variable = require(item, "variable", dict)
        evse = component.get("evse") or {}
        key: VariableKey = (
            str(component.get("name")),
            evse.get("id"),
            evse.get("connectorId"),
            str(variable.get("name")),
        )
        result: Payload = {"component": component, "variable": variable}
        attribute = item.get("attributeType")
        if attribute is not None:
            result["attributeType"] = attribute
        if key not in self.station.settings.variables:
            known = key[0] in self.station.settings.component_names()
            result["attributeStatus"] = "UnknownVariable" if known else "UnknownComponent"
        elif attribute not in (None, "Actual"):
            result["attributeStatus"] = "NotSupportedAttributeType"
        return key, result

    async def _get_base_report(self, payload: Payload) -> Answer:
        request_id = require(payload, "requestId", int)
        base = require(payload, "reportBase", str)
        entries = [
            (key, setting)
            for key, setting in self.station.settings.variables.items()
            if _in_report(base, key, setting)
        ]
        if not entries:
            return Answer({"status": "EmptyResultSet"})
        return Answer({"status": "Accepted"}, partial(self._notify_report, request_id, entries))

    async def _notify_report(
        self, request_id: int, entries: list[tuple[VariableKey, Setting]]
    ) -> None:
        chunks = [entries[i : i + REPORT_CHUNK] for i in range(0, len(entries), REPORT_CHUNK)]
        generated_at = ocpp_timestamp(utc_now())
        for seq_no, chunk in enumerate(chunks):
            payload: Payload = {
                "requestId": request_id,
                "generatedAt": generated_at,
                "seqNo": seq_no,
                "tbc": seq_no < len(chunks) - 1,
                "reportData": [_report_data(key, setting) for key, setting in chunk],
            }
            await self.station.uplink.send_now("NotifyReport", payload, while_pending=True)

    # -------------------------------------------------------------------- misc
    async def _clear_cache(self, _payload: Payload) -> Answer:
        return Answer({"status": "Accepted"})

    async def _data_transfer(self, payload: Payload) -> Answer:
        return data_transfer(self.station.config, payload)

    def _evse(self, evse_id: int) -> EvseState | None:
        return self.station.find_evse(evse_id)


def _is_password(item: object) -> bool:
    if not isinstance(item, dict):
        return False
    component, variable = item.get("component") or {}, item.get("variable") or {}
    return (component.get("name"), variable.get("name")) == ("SecurityCtrlr", "BasicAuthPassword")


def _in_report(base: str, key: VariableKey, setting: Setting) -> bool:
    if base == "ConfigurationInventory":
        return not setting.readonly
    if base == "SummaryInventory":
        return key[3] == "AvailabilityState"
    return base == "FullInventory"


def _report_data(key: VariableKey, setting: Setting) -> Payload:
    component: Payload = {"name": key[0]}
    if key[1] is not None:
        evse: Payload = {"id": key[1]}
        if key[2] is not None:
            evse["connectorId"] = key[2]
        component["evse"] = evse
    return {
        "component": component,
        "variable": {"name": key[3]},
        "variableAttribute": [
            {
                "type": "Actual",
                "value": setting.current()[:2500],
                "mutability": "ReadOnly" if setting.readonly else "ReadWrite",
            }
        ],
        "variableCharacteristics": {"dataType": setting.kind, "supportsMonitoring": False},
    }
