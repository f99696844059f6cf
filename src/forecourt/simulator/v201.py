"""OCPP 2.0.1 dialect: StatusNotification per (EVSE, connector) and TransactionEvent
transactions with station-generated ids and a per-transaction ``seqNo`` from 0.

The transaction starts at plug-in (TxStartPoint EVConnected): Started(CablePluggedIn) →
Authorize → Updated(Authorized, Charging) → Updated(MeterValuePeriodic)… → Ended. A remote
start opens with Started(RemoteStart, idToken, remoteStartId) instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import partial

from forecourt.simulator import meter
from forecourt.simulator.host import StationHost
from forecourt.simulator.local_auth import LocalAuthStore
from forecourt.simulator.local_auth_calls import handlers_v201
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
from forecourt.simulator.v201_calls import V201Calls

# (triggerReason, stoppedReason) of the Ended event for each neutral cause.
END_EVENT: dict[StopCause, tuple[str, str]] = {
    StopCause.TARGET_SOC_REACHED: ("EVDeparted", "StoppedByEV"),
    StopCause.LOCAL: ("StopAuthorized", "Local"),
    StopCause.REMOTE: ("RemoteStop", "Remote"),
    StopCause.SOFT_RESET: ("ResetCommand", "ImmediateReset"),
    StopCause.HARD_RESET: ("ResetCommand", "ImmediateReset"),
    StopCause.UNLOCK: ("UnlockCommand", "Other"),
    StopCause.DEAUTHORIZED: ("Deauthorized", "DeAuthorized"),
    StopCause.NOT_AUTHORIZED: ("Deauthorized", "DeAuthorized"),
    StopCause.CARD_NOT_READ: ("EVDeparted", "EVDisconnected"),
    StopCause.LATCH_FAILURE: ("EVConnectTimeout", "Timeout"),
    StopCause.EV_DISCONNECTED: ("EVDeparted", "EVDisconnected"),
}


def connector_status(evse: EvseState, connector_id: int) -> str:
    """Only one cable of an EVSE can be in use; the others show Unavailable meanwhile."""
    if evse.status is ConnectorStatus.FAULTED:
        return "Faulted"
    if not evse.operative:
        return "Unavailable"
    if evse.session is None:
        return "Available"
    return "Occupied" if evse.session.connector_id == connector_id else "Unavailable"


class V201Dialect:
    def __init__(self, station: StationHost) -> None:
        self.station = station
        self.uplink = station.uplink
        self._sent_status: dict[tuple[int, int], str] = {}
        self._calls = V201Calls(station, self)
        cache_key = station.settings.keys["AuthorizationCacheEnabled"]
        self.local = LocalAuthStore(
            on_expired=self._reservation_expired,
            cache_enabled=lambda: cache_key.current() == "true",
        )
        self._local_calls = handlers_v201(station, self.local)

    async def handle(self, action: str, payload: Payload) -> Answer:
        local = self._local_calls.get(action)
        return await (local(payload) if local else self._calls.handle(action, payload))

    async def _reservation_expired(self, reservation_id: int) -> None:
        payload = {"reservationId": reservation_id, "reservationUpdateStatus": "Expired"}
        await self.uplink.send_now("ReservationStatusUpdate", payload)

    # ------------------------------------------------------------ link messages
    async def boot(self, reason: str) -> BootResult:
        config = self.station.config
        charging_station: Payload = {
            "model": config.model[:20],
            "vendorName": config.vendor[:50],
            "firmwareVersion": config.firmware[:50],
        }
        if config.serial:
            charging_station["serialNumber"] = config.serial[:25]
        payload = {"chargingStation": charging_station, "reason": reason}
        result = await self.uplink.call("BootNotification", payload)
        return BootResult(str(result.get("status")), float(result.get("interval") or 0))

    async def heartbeat(self) -> None:
        await self.uplink.send_now("Heartbeat", {})

    async def announce_all(self, *, while_pending: bool = False) -> None:
        for evse in self.station.evses:
            await self.announce_status(evse, force=True, while_pending=while_pending)

    async def announce_status(
        self, evse: EvseState, *, force: bool = False, while_pending: bool = False
    ) -> None:
        for connector_id in range(1, len(evse.config.connectors) + 1):
            status = connector_status(evse, connector_id)
            key = (evse.evse_id, connector_id)
            if not force and self._sent_status.get(key) == status:
                continue  # 2.0.1 reports connector state changes, not session phases
            payload = {
                "timestamp": ocpp_timestamp(utc_now()),
                "connectorStatus": status,
                "evseId": evse.evse_id,
                "connectorId": connector_id,
            }
            sent = await self.uplink.send_now(
                "StatusNotification", payload, while_pending=while_pending
            )
            if sent is not None:
                self._sent_status[key] = status

    # ------------------------------------------------------------------ sessions
    async def authorize(self, session: ChargingSession) -> bool:
        if not self.local.admits(session.evse_id, session.id_token):
            return False  # reserved for another token
        request: Payload = {"idToken": _id_token(session)}
        if session.contract_certificate:  # Plug & Charge: the CSMS checks the contract (C07)
            request["certificate"] = session.contract_certificate
        result = await self.uplink.send_now("Authorize", request)
        if result is None:  # offline: local authorization, from the local list
            return self.local.offline_verdict(session.id_token)
        status = str(result.get("idTokenInfo", {}).get("status"))
        self.local.remember(session.id_token, status)
        return status == "Accepted"

    async def plugged_in(self, session: ChargingSession) -> None:
        session.transaction_id = str(uuid.uuid4())
        session.transaction_open = True
        begin = [meter.take_sample(session, meter.TRANSACTION_BEGIN)]
        if session.remote:
            self._event(session, "Started", "RemoteStart", "EVConnected", begin, with_token=True)
        else:
            self._event(session, "Started", "CablePluggedIn", "EVConnected", begin)

    async def transaction_started(self, session: ChargingSession) -> None:
        if session.remote:
            self._event(session, "Updated", "ChargingStateChanged", "Charging")
        else:
            self._event(session, "Updated", "Authorized", "Charging", with_token=True)

    async def meter_sample(self, session: ChargingSession) -> None:
        sample = meter.take_sample(session, meter.SAMPLE_PERIODIC)
        self._event(session, "Updated", "MeterValuePeriodic", None, [sample])
        await self._calls.device.watch_power(session.evse_id, sample.power_w)

    async def transaction_ended(self, session: ChargingSession) -> None:
        cause = session.stop_cause or StopCause.LOCAL
        trigger, reason = END_EVENT[cause]
        state = "Idle" if trigger == "EVDeparted" else "EVConnected"
        end = [meter.take_sample(session, meter.TRANSACTION_END)]
        with_token = cause is StopCause.LOCAL
        self._event(session, "Ended", trigger, state, end, with_token=with_token, reason=reason)

    def transaction_closed(self, session: ChargingSession, result: Payload) -> None:
        """The CSMS answered the Ended event (a hook: 2.1 settles a card payment here)."""

    def trigger_transaction_event(self, session: ChargingSession) -> None:
        sample = meter.take_sample(session, meter.TRIGGER)
        self._event(session, "Updated", "Trigger", None, [sample])

    def _event(
        self,
        session: ChargingSession,
        event_type: str,
        trigger: str,
        charging_state: str | None,
        samples: Sequence[meter.MeterSample] = (),
        *,
        with_token: bool = False,
        reason: str | None = None,
    ) -> None:
        info: Payload = {"transactionId": session.transaction_id}
        if charging_state:
            info["chargingState"] = charging_state
        if reason:
            info["stoppedReason"] = reason
            info["timeSpentCharging"] = round((utc_now() - session.started_at).total_seconds())
        if session.remote_start_id is not None and event_type == "Started":
            info["remoteStartId"] = session.remote_start_id
        moment = samples[0].timestamp if samples else utc_now()
        payload: Payload = {
            "eventType": event_type,
            "timestamp": ocpp_timestamp(moment),
            "triggerReason": trigger,
            "seqNo": session.next_seq_no(),
            "transactionInfo": info,
            "evse": {"id": session.evse_id, "connectorId": session.connector_id},
        }
        if not self.uplink.is_online:
            payload["offline"] = True  # the event happened while the link was down
        if with_token:
            payload["idToken"] = _id_token(session)
            used = self.local.use(session.evse_id, session.id_token) if reason is None else None
            if used is not None:
                payload["reservationId"] = used
        if samples:
            selection = self.station.settings.keys["MeterValuesSampledData"].current()
            config = self.station.config
            signer = config.station_id if config.signed_meter else None
            payload["meterValue"] = [meter.render_v201(s, selection, signer) for s in samples]
        on_result = partial(_check_token, session) if with_token and reason is None else None
        if event_type == "Ended":
            on_result = partial(self.transaction_closed, session)
        self.uplink.enqueue(OutboxItem("TransactionEvent", payload, on_result=on_result))


def _id_token(session: ChargingSession) -> Payload:
    return {"idToken": session.id_token, "type": session.id_token_type}


def _check_token(session: ChargingSession, result: Payload) -> None:
    info = result.get("idTokenInfo")
    if isinstance(info, dict) and info.get("status") != "Accepted":
        session.request_stop(StopCause.DEAUTHORIZED)
