"""OCPP 1.6J dialect: one 1.6 connector per EVSE (connectorId N == EVSE N, 0 = station)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from functools import partial

from forecourt.simulator import maintenance, meter, smart_charging
from forecourt.simulator.certificates import StationCertificates
from forecourt.simulator.dialect import data_transfer, not_implemented, optional, require
from forecourt.simulator.host import StationHost, new_password
from forecourt.simulator.local_auth import LocalAuthStore
from forecourt.simulator.local_auth_calls import handlers_v16
from forecourt.simulator.rpc import Answer, Payload
from forecourt.simulator.session import (
    ChargingSession,
    ConnectorStatus,
    EvseState,
    StopCause,
    ocpp_timestamp,
    utc_now,
)
from forecourt.simulator.uplink import BootResult, OutboxItem

#: The OCA "ISO 15118 Plug & Charge with OCPP 1.6" DataTransfer vendor.
PNC_VENDOR = "org.openchargealliance.iso15118pnc"

STATUS: dict[ConnectorStatus, str] = {
    ConnectorStatus.AVAILABLE: "Available",
    ConnectorStatus.PREPARING: "Preparing",
    ConnectorStatus.CHARGING: "Charging",
    ConnectorStatus.SUSPENDED_EV: "SuspendedEV",
    ConnectorStatus.FINISHING: "Finishing",
    ConnectorStatus.UNAVAILABLE: "Unavailable",
    ConnectorStatus.FAULTED: "Faulted",
}
STOP_REASON: dict[StopCause, str] = {
    StopCause.TARGET_SOC_REACHED: "EVDisconnected",
    StopCause.LOCAL: "Local",
    StopCause.REMOTE: "Remote",
    StopCause.SOFT_RESET: "SoftReset",
    StopCause.HARD_RESET: "HardReset",
    StopCause.UNLOCK: "UnlockCommand",
    StopCause.DEAUTHORIZED: "DeAuthorized",
    StopCause.NOT_AUTHORIZED: "DeAuthorized",
    StopCause.CARD_NOT_READ: "Local",
    StopCause.LATCH_FAILURE: "Other",
    StopCause.EV_DISCONNECTED: "EVDisconnected",
}
RESET_CAUSE = {"Soft": StopCause.SOFT_RESET, "Hard": StopCause.HARD_RESET}

Handler16 = Callable[[Payload], Awaitable[Answer]]


def _with_transaction_id(
    session: ChargingSession, payload: Payload, *, required: bool
) -> Payload | None:
    """The CSMS assigns 1.6 transaction ids, so queued messages learn theirs at send time."""
    if session.transaction_id is None:
        return None if required else payload
    return {**payload, "transactionId": session.transaction_id}


class V16Dialect:
    def __init__(self, station: StationHost) -> None:
        self.station = station
        self.uplink = station.uplink
        self._begin: dict[int, meter.MeterSample] = {}
        self._handlers: dict[str, Handler16] = {
            "RemoteStartTransaction": self._remote_start,
            "RemoteStopTransaction": self._remote_stop,
            "Reset": self._reset,
            "UnlockConnector": self._unlock,
            "ChangeAvailability": self._change_availability,
            "TriggerMessage": self._trigger,
            "GetConfiguration": self._get_configuration,
            "ChangeConfiguration": self._change_configuration,
            "ClearCache": self._clear_cache,
            "DataTransfer": self._data_transfer,
            **maintenance.handlers16(maintenance.Maintenance(station), self._notify),
            "SetChargingProfile": partial(smart_charging.v16_set, station),
            "ClearChargingProfile": partial(smart_charging.v16_clear, station),
            "GetCompositeSchedule": partial(smart_charging.v16_composite, station),
            "ExtendedTriggerMessage": self._extended_trigger,
            "CertificateSigned": self._certificate_signed,
        }
        self.certificates = StationCertificates(station.config)
        cache_key = station.settings.keys["AuthorizationCacheEnabled"]
        self.local = LocalAuthStore(cache_enabled=lambda: cache_key.current() == "true")
        self._handlers.update(handlers_v16(station, self.local))

    # ------------------------------------------------------------ link messages
    async def boot(self, _reason: str) -> BootResult:
        config = self.station.config
        payload: Payload = {
            "chargePointVendor": config.vendor[:20],
            "chargePointModel": config.model[:20],
            "firmwareVersion": config.firmware[:50],
        }
        if config.serial:
            payload["chargePointSerialNumber"] = config.serial[:25]
        result = await self.uplink.call("BootNotification", payload)
        return BootResult(str(result.get("status")), float(result.get("interval") or 0))

    async def _notify(self, action: str, payload: Payload) -> None:
        await self.uplink.send_now(action, payload)

    async def heartbeat(self) -> None:
        await self.uplink.send_now("Heartbeat", {})

    async def announce_all(self, *, while_pending: bool = False) -> None:
        whole = "Available" if any(e.operative for e in self.station.evses) else "Unavailable"
        await self._send_status(0, whole, while_pending)
        for evse in self.station.evses:
            await self._send_status(evse.evse_id, STATUS[evse.status], while_pending)

    async def announce_status(self, evse: EvseState) -> None:
        await self._send_status(evse.evse_id, STATUS[evse.status], False)

    async def _send_status(self, connector_id: int, status: str, while_pending: bool) -> None:
        payload = {
            "connectorId": connector_id,
            "errorCode": "NoError",
            "status": status,
            "timestamp": ocpp_timestamp(utc_now()),
        }
        await self.uplink.send_now("StatusNotification", payload, while_pending=while_pending)

    # ------------------------------------------------------------------ sessions
    async def authorize(self, session: ChargingSession) -> bool:
        if not self.local.admits(session.evse_id, session.id_token):
            return False  # reserved for another token
        if session.contract_certificate:
            return await self._authorize_contract(session)
        result = await self.uplink.send_now("Authorize", {"idTag": session.id_token})
        if result is None:  # offline: LocalAuthorizeOffline, from the local list
            return self.local.offline_verdict(session.id_token)
        status = str(result.get("idTagInfo", {}).get("status"))
        self.local.remember(session.id_token, status)
        return status == "Accepted"

    async def _authorize_contract(self, session: ChargingSession) -> bool:
        """Plug & Charge on 1.6: the 2.0.1 Authorize inside the OCA DataTransfer wrapper."""
        wrapped = {
            "idToken": {"idToken": session.id_token, "type": "eMAID"},
            "certificate": session.contract_certificate,
        }
        payload = {"vendorId": PNC_VENDOR, "messageId": "Authorize", "data": json.dumps(wrapped)}
        result = await self.uplink.send_now("DataTransfer", payload)
        if result is None or result.get("status") != "Accepted":
            return False
        answer = json.loads(str(result.get("data") or "{}"))
        return bool(answer.get("idTokenInfo", {}).get("status") == "Accepted")

    async def plugged_in(self, _session: ChargingSession) -> None:
        return None  # 1.6 has no transaction before StartTransaction; status is Preparing

    async def transaction_started(self, session: ChargingSession) -> None:
        session.transaction_open = True
        begin = meter.take_sample(session, meter.TRANSACTION_BEGIN)
        self._begin[session.evse_id] = begin
        payload: Payload = {
            "connectorId": session.evse_id,
            "idTag": session.id_token,
            "meterStart": round(begin.register_wh),
            "timestamp": ocpp_timestamp(begin.timestamp),
        }
        reservation_id = self.local.use(session.evse_id, session.id_token)
        if reservation_id is not None:
            payload["reservationId"] = reservation_id
        self.uplink.enqueue(
            OutboxItem("StartTransaction", payload, on_result=partial(self._started, session))
        )
        self._enqueue_meter_values(session, begin)

    def _started(self, session: ChargingSession, result: Payload) -> None:
        session.transaction_id = result.get("transactionId")
        if result.get("idTagInfo", {}).get("status") != "Accepted":
            session.request_stop(StopCause.DEAUTHORIZED)

    async def meter_sample(self, session: ChargingSession) -> None:
        self._enqueue_meter_values(session, meter.take_sample(session, meter.SAMPLE_PERIODIC))

    def _enqueue_meter_values(self, session: ChargingSession, sample: meter.MeterSample) -> None:
        payload = {"connectorId": session.evse_id, "meterValue": [self._render(sample)]}
        prepare = partial(_with_transaction_id, session, required=False)
        self.uplink.enqueue(OutboxItem("MeterValues", payload, prepare=prepare))

    async def transaction_ended(self, session: ChargingSession) -> None:
        if not session.transaction_open:
            return
        end = meter.take_sample(session, meter.TRANSACTION_END)
        begin = self._begin.pop(session.evse_id, end)
        payload: Payload = {
            "idTag": session.id_token,
            "meterStop": round(end.register_wh),
            "timestamp": ocpp_timestamp(end.timestamp),
            "reason": STOP_REASON[session.stop_cause or StopCause.LOCAL],
            "transactionData": [self._render(begin), self._render(end)],
        }
        prepare = partial(_with_transaction_id, session, required=True)
        self.uplink.enqueue(OutboxItem("StopTransaction", payload, prepare=prepare))

    def _render(self, sample: meter.MeterSample) -> Payload:
        selection = self.station.settings.keys["MeterValuesSampledData"].current()
        return meter.render_v16(sample, selection)

    # --------------------------------------------------------- CSMS-initiated calls
    async def handle(self, action: str, payload: Payload) -> Answer:
        handler = self._handlers.get(action)
        if handler is None:
            raise not_implemented(action)
        return await handler(payload)

    def _evse_for(self, connector_id: int | None) -> EvseState | None:
        return None if connector_id is None else self.station.find_evse(connector_id)

    async def _remote_start(self, payload: Payload) -> Answer:
        id_tag = require(payload, "idTag", str)
        connector_id = optional(payload, "connectorId", int)
        if connector_id is not None and self._evse_for(connector_id) is None:
            return Answer({"status": "Rejected"})
        evse = self.station.free_evse(connector_id)
        if evse is None or not self.local.admits(evse.evse_id, id_tag):
            return Answer({"status": "Rejected"})

        async def start() -> None:
            self.station.start_session(evse.evse_id, id_token=id_tag, remote=True)

        return Answer({"status": "Accepted"}, start)

    async def _remote_stop(self, payload: Payload) -> Answer:
        session = self.station.find_session(require(payload, "transactionId", int))
        if session is None:
            return Answer({"status": "Rejected"})
        session.request_stop(StopCause.REMOTE)
        return Answer({"status": "Accepted"})

    async def _reset(self, payload: Payload) -> Answer:
        cause = RESET_CAUSE.get(require(payload, "type", str))
        if cause is None:
            return Answer({"status": "Rejected"})
        return Answer({"status": "Accepted"}, partial(self.station.reset, cause, "RemoteReset"))

    async def _unlock(self, payload: Payload) -> Answer:
        evse = self._evse_for(require(payload, "connectorId", int))
        if evse is None:
            return Answer({"status": "NotSupported"})
        if evse.session is not None:
            evse.session.request_stop(StopCause.UNLOCK)
        return Answer({"status": "Unlocked"})

    async def _change_availability(self, payload: Payload) -> Answer:
        connector_id = require(payload, "connectorId", int)
        operative = require(payload, "type", str) == "Operative"
        if connector_id != 0 and self._evse_for(connector_id) is None:
            return Answer({"status": "Rejected"})
        status = self.station.change_availability(connector_id or None, operative)
        return Answer({"status": status}, self.announce_all)

    async def _trigger(self, payload: Payload) -> Answer:
        requested = require(payload, "requestedMessage", str)
        connector_id = optional(payload, "connectorId", int)
        if connector_id and self._evse_for(connector_id) is None:
            return Answer({"status": "Rejected"})
        follow_up = self._triggered(requested, connector_id)
        if follow_up is None:
            return Answer({"status": "NotImplemented"})
        return Answer({"status": "Accepted"}, follow_up)

    async def _extended_trigger(self, payload: Payload) -> Answer:
        """Security whitepaper: the station's certificate renewal; the rest as TriggerMessage."""
        if require(payload, "requestedMessage", str) != "SignChargePointCertificate":
            return await self._trigger(payload)
        return Answer({"status": "Accepted"}, partial(self.certificates.renew, self.uplink.call))

    async def _certificate_signed(self, payload: Payload) -> Answer:
        return self.certificates.certificate_signed(payload)

    def _triggered(
        self, requested: str, connector_id: int | None
    ) -> Callable[[], Awaitable[None]] | None:
        evses = self.station.evses if not connector_id else [self.station.evse(connector_id)]
        idle = {"status": "Idle"}
        follow_ups: dict[str, Callable[[], Awaitable[None]]] = {
            "BootNotification": self.uplink.trigger_boot,
            "Heartbeat": self.uplink.later("Heartbeat", {}),
            "StatusNotification": partial(self._trigger_status, evses, connector_id),
            "MeterValues": partial(self._trigger_meter_values, evses),
            "DiagnosticsStatusNotification": self.uplink.later(
                "DiagnosticsStatusNotification", idle
            ),
            "FirmwareStatusNotification": self.uplink.later("FirmwareStatusNotification", idle),
        }
        return follow_ups.get(requested)

    async def _trigger_status(self, evses: list[EvseState], connector_id: int | None) -> None:
        if connector_id is None:
            await self.announce_all(while_pending=True)
            return
        for evse in evses:
            await self._send_status(evse.evse_id, STATUS[evse.status], True)

    async def _trigger_meter_values(self, evses: list[EvseState]) -> None:
        for evse in evses:
            session = evse.session
            if session:
                sample = meter.take_sample(session, meter.TRIGGER)
            else:
                sample = meter.idle_sample(evse, meter.TRIGGER)
            payload: Payload = {"connectorId": evse.evse_id, "meterValue": [self._render(sample)]}
            if session and session.transaction_id is not None:
                payload["transactionId"] = session.transaction_id
            await self.uplink.send_now("MeterValues", payload, while_pending=True)

    async def _get_configuration(self, payload: Payload) -> Answer:
        keys = self.station.settings.keys
        wanted = optional(payload, "key", list) or list(keys)
        known = [
            {"key": key, "readonly": keys[key].readonly, "value": keys[key].current()}
            for key in wanted
            if key in keys
        ]
        answer: Payload = {"configurationKey": known}
        unknown = [key for key in wanted if key not in keys]
        if unknown:
            answer["unknownKey"] = unknown
        return Answer(answer)

    async def _change_configuration(self, payload: Payload) -> Answer:
        key = require(payload, "key", str)
        value = require(payload, "value", str)
        if key == "AuthorizationKey":  # security whitepaper: the HTTP Basic password
            return new_password(self.station, value)
        if key not in self.station.settings.keys:
            return Answer({"status": "NotSupported"})
        accepted = self.station.settings.set_key(key, value)
        return Answer({"status": "Accepted" if accepted else "Rejected"})

    async def _clear_cache(self, _payload: Payload) -> Answer:
        return Answer({"status": "Accepted"})

    async def _data_transfer(self, payload: Payload) -> Answer:
        return data_transfer(self.station.config, payload)
