"""OCPP 2.0.1 station -> CSMS handlers: decode, map, one service call, map back.

Requirement ids refer to OCPP 2.0.1 Part 2 (use cases A-P and their functional requirements).
Actions of the 2.0.1 schemas that are not in ``HANDLERS`` are answered NotSupported by the
dispatcher. Payloads arrive schema-validated, so required fields are read with ``[]``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from forecourt.domain.events import StationEventKind
from forecourt.domain.metering import MeterSample, SignedMeterValue
from forecourt.domain.stations import BootInfo, StatusReport
from forecourt.domain.tokens import AuthorizationResult, IdToken, token_of
from forecourt.ocpp import iso15118
from forecourt.ocpp.adapter import InboundHandler, Link
from forecourt.ocpp.errors import ErrorKind, OcppError
from forecourt.ocpp.metering import to_sample
from forecourt.ocpp.timestamps import format_timestamp, parse_timestamp
from forecourt.ocpp.v201 import certificates, device_inbound, maintenance
from forecourt.ocpp.v201 import smart_charging_inbound as k
from forecourt.ocpp.v201.local_auth_inbound import reservation_status_update
from forecourt.ocpp.v201.mapping import (
    BOOT_REASON,
    CHARGING_STATE,
    CONNECTOR_STATUS,
    DATA_TRANSFER_ANSWER,
    DEFAULT_STOP_REASON,
    REGISTRATION_STATUS,
    STOP_REASON,
    TOKEN_KIND,
    lookup,
)
from forecourt.ocpp.v201.wire_types.authorization import AuthorizeRequest, AuthorizeResponse
from forecourt.ocpp.v201.wire_types.availability import (
    StatusNotificationRequest,
    StatusNotificationResponse,
)
from forecourt.ocpp.v201.wire_types.common import IdTokenInfoType, IdTokenType
from forecourt.ocpp.v201.wire_types.diagnostics import (
    DataTransferRequest,
    DataTransferResponse,
)
from forecourt.ocpp.v201.wire_types.iso15118 import (
    Get15118EVCertificateRequest,
    Get15118EVCertificateResponse,
    GetCertificateStatusRequest,
    GetCertificateStatusResponse,
)
from forecourt.ocpp.v201.wire_types.provisioning import (
    BootNotificationRequest,
    BootNotificationResponse,
    HeartbeatRequest,
    HeartbeatResponse,
)
from forecourt.ocpp.v201.wire_types.transactions import (
    MeterValuesRequest,
    MeterValuesResponse,
    MeterValueType,
    SampledValueType,
    TransactionEventRequest,
    TransactionEventResponse,
    UnitOfMeasureType,
)
from forecourt.ocpp.v201.wire_types.variables import NotifyReportRequest, NotifyReportResponse
from forecourt.services.transactions import (
    Outcome,
    TransactionStart,
    TransactionStop,
    TransactionUpdate,
)


def id_token(raw: IdTokenType) -> IdToken:
    """IdTokenType -> IdToken (additionalInfo is not used by the authorization rule)."""
    return token_of(raw["idToken"], lookup(TOKEN_KIND, raw["type"], "idToken.type"))


def id_token_info(result: AuthorizationResult) -> IdTokenInfoType:
    """AuthorizationResult -> IdTokenInfoType (one renderer, shared with the 1.6 wrapper)."""
    return cast(IdTokenInfoType, iso15118.id_token_info(result))


def samples_of(meter_values: Sequence[MeterValueType]) -> list[MeterSample]:
    """MeterValueType list -> samples. 2.0.1 values are numbers scaled by 10^multiplier; a
    ``signedMeterValue`` (2.0.1 and 2.1) is kept with its sample."""
    out: list[MeterSample] = []
    for meter_value in meter_values:
        at = parse_timestamp(meter_value["timestamp"])
        for sampled in meter_value["sampledValue"]:
            unit = sampled.get("unitOfMeasure") or UnitOfMeasureType()
            value = float(sampled["value"])
            multiplier = unit.get("multiplier", 0)
            signed = _signed(sampled, unit.get("unit", "Wh"), multiplier)
            sample = to_sample(at, sampled, value, unit.get("unit"), multiplier, signed)
            if sample is not None:
                out.append(sample)
    return out


def _signed(sampled: SampledValueType, unit: str, multiplier: int) -> SignedMeterValue | None:
    raw = sampled.get("signedMeterValue")
    if raw is None:
        return None
    scale = f"e{multiplier}" if multiplier else ""
    return SignedMeterValue(
        signed_data=raw["signedMeterData"],
        encoding_method=raw["encodingMethod"],
        signing_method=raw.get("signingMethod", ""),  # optional in 2.1
        public_key=raw.get("publicKey", ""),  # optional in 2.1
        plain_data=f"{sampled['value']}{scale} {unit}",
    )


def transfer_data(data: Any) -> str | None:
    """DataTransfer.data is anyType in 2.0.1; the record keeps text, so JSON is kept as JSON."""
    if data is None or isinstance(data, str):
        return data
    return json.dumps(data, separators=(",", ":"))


# --- provisioning, availability, authorization --------------------------------------------


async def boot_notification(link: Link, p: BootNotificationRequest) -> BootNotificationResponse:
    """B01-B03: register the station; Accepted/Pending/Rejected, interval and currentTime.

    Until Accepted the dispatcher answers every other CALL with SecurityError (B02.FR.09).
    """
    station = p["chargingStation"]
    info = BootInfo(
        vendor=station["vendorName"],
        model=station["model"],
        serial_number=station.get("serialNumber", ""),
        firmware_version=station.get("firmwareVersion", ""),
        reason=lookup(BOOT_REASON, p["reason"], "reason"),
    )
    decision = await link.boot(info)
    link.registration = decision.status
    link.identified(info.vendor, info.model)
    return {
        "currentTime": format_timestamp(decision.current_time),
        "interval": decision.interval_s,
        "status": REGISTRATION_STATUS[decision.status],
    }


async def heartbeat(link: Link, _p: HeartbeatRequest) -> HeartbeatResponse:
    """G02: answer with the CSMS time so the station can synchronise its clock."""
    now = await link.services.provisioning.heartbeat(link.station_id)
    return {"currentTime": format_timestamp(now)}


async def status_notification(
    link: Link, p: StatusNotificationRequest
) -> StatusNotificationResponse:
    """G01: connector status per (evseId, connectorId); history and drift are the service's."""
    report = StatusReport(
        evse_id=p["evseId"],
        connector_id=p["connectorId"],
        status=lookup(CONNECTOR_STATUS, p["connectorStatus"], "connectorStatus"),
        timestamp=parse_timestamp(p["timestamp"]),
        detail=p["connectorStatus"],
    )
    await link.services.availability.report(link.station_id, report)
    return {}


async def authorize(link: Link, p: AuthorizeRequest) -> AuthorizeResponse:
    """C01 (and C02/C04 tokens); C07: a contract certificate or its hash data is checked
    (chain, validity, OCSP) before the eMAID meets the one authorization rule."""
    return cast(AuthorizeResponse, await iso15118.authorize(link, id_token(p["idToken"]), p))


async def get_15118_ev_certificate(
    link: Link, p: Get15118EVCertificateRequest
) -> Get15118EVCertificateResponse:
    """M01/M02: install or update a car's contract certificate through the pool."""
    return cast(Get15118EVCertificateResponse, await iso15118.get_15118_ev_certificate(link, p))


async def get_certificate_status(
    link: Link, p: GetCertificateStatusRequest
) -> GetCertificateStatusResponse:
    """M06: the OCSP status of one certificate of the car's contract chain."""
    return cast(GetCertificateStatusResponse, await iso15118.get_certificate_status(link, p))


# --- transactions --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Event:
    """The fields every TransactionEventRequest carries, decoded once."""

    station_tx_id: str
    timestamp: datetime
    seq_no: int
    offline: bool
    evse_id: int | None
    connector_id: int | None
    token: IdToken | None
    charging_state: str
    samples: list[MeterSample]


def _decode_event(p: TransactionEventRequest) -> _Event:
    info = p["transactionInfo"]
    evse = p.get("evse")
    state = info.get("chargingState")
    if not info["transactionId"]:  # the schema allows "", but it can never name a transaction
        raise OcppError(ErrorKind.PROPERTY_CONSTRAINT, "transactionId must not be empty")
    return _Event(
        station_tx_id=info["transactionId"],
        timestamp=parse_timestamp(p["timestamp"]),
        seq_no=p["seqNo"],
        offline=bool(p.get("offline", False)),
        evse_id=None if evse is None else evse["id"],
        connector_id=None if evse is None else evse.get("connectorId"),
        token=id_token(p["idToken"]) if "idToken" in p else None,
        charging_state="" if state is None else lookup(CHARGING_STATE, state, "chargingState"),
        samples=samples_of(p.get("meterValue", [])),
    )


async def _started(link: Link, e: _Event, p: TransactionEventRequest) -> Outcome:
    """E01/E02/E03: the station's transactionId is the key, so a replayed Started (any
    message id) finds the same transaction. evse may follow later (E01.FR.16): 0 = unknown."""
    start = TransactionStart(
        evse_id=e.evse_id or 0,
        connector_id=e.connector_id or 1,
        timestamp=e.timestamp,
        id_token=e.token,
        station_tx_id=e.station_tx_id,
        seq_no=e.seq_no,
        offline=e.offline,
        remote_start_id=p["transactionInfo"].get("remoteStartId"),
        charging_state=e.charging_state,
        samples=e.samples,
        reservation_id=p.get("reservationId"),
    )
    return await link.services.transactions.start(link.station_id, start)


async def _updated(link: Link, e: _Event, _p: TransactionEventRequest) -> Outcome:
    """E02/E03 (idToken after plug-in, E03.FR.01), J02 meter values, E04 offline events."""
    update = TransactionUpdate(
        station_tx_id=e.station_tx_id,
        timestamp=e.timestamp,
        evse_id=e.evse_id,
        connector_id=e.connector_id,
        id_token=e.token,
        seq_no=e.seq_no,
        offline=e.offline,
        charging_state=e.charging_state,
        samples=e.samples,
        reservation_id=_p.get("reservationId"),
    )
    return await link.services.transactions.update(link.station_id, update)


async def _ended(link: Link, e: _Event, p: TransactionEventRequest) -> Outcome:
    """E06-E09: always acknowledged; an unknown transactionId is rebuilt and recorded."""
    reason = p["transactionInfo"].get("stoppedReason", DEFAULT_STOP_REASON)
    stop = TransactionStop(
        station_tx_id=e.station_tx_id,
        timestamp=e.timestamp,
        reason=lookup(STOP_REASON, reason, "stoppedReason"),
        id_token=e.token,
        seq_no=e.seq_no,
        offline=e.offline,
        evse_id=e.evse_id,
        connector_id=e.connector_id,
        samples=e.samples,
        station_assigned_id=True,
    )
    return await link.services.transactions.stop(link.station_id, stop)


_EventHandler = Callable[[Link, _Event, TransactionEventRequest], Awaitable[Outcome]]

#: TransactionEventEnumType -> the one service call that handles it.
EVENT_TYPES: Mapping[str, _EventHandler] = {
    "Started": _started,
    "Updated": _updated,
    "Ended": _ended,
}


async def transaction_event(link: Link, p: TransactionEventRequest) -> TransactionEventResponse:
    """E01-E15: Started/Updated/Ended reach the same transaction service as 1.6.

    The response carries idTokenInfo when the request carried an idToken (C01/E05); the
    service orders offline-queued events and keeps energy exact.
    """
    event = _decode_event(p)
    handler = lookup(EVENT_TYPES, p["eventType"], "eventType")
    outcome = await handler(link, event, p)
    response = _event_response(event, outcome)
    if p["eventType"] == "Ended" and outcome.transaction is not None:
        total = await link.services.session_total(outcome.transaction.id)
        if total is not None:  # E06/I02: the final cost, when the session is priced
            response["totalCost"] = float(Decimal(total))
    return response


def _event_response(event: _Event, outcome: Outcome) -> TransactionEventResponse:
    if event.token is None:
        return {}
    result = outcome.authorization
    tx = outcome.transaction
    if result is None and tx is not None and tx.id_token == event.token.value:
        # The token already authorised this transaction: repeat that answer.
        result = AuthorizationResult(tx.auth_status)
    return {} if result is None else {"idTokenInfo": id_token_info(result)}


async def meter_values(link: Link, p: MeterValuesRequest) -> MeterValuesResponse:
    """J01: meter values outside a TransactionEvent (evseId 0 = the main meter)."""
    await link.services.transactions.meter_values(
        link.station_id, p["evseId"], None, samples_of(p["meterValue"])
    )
    return {}


# --- records -------------------------------------------------------------------------------


async def data_transfer(link: Link, p: DataTransferRequest) -> DataTransferResponse:
    """P02: every transfer is recorded; an unknown vendorId gets UnknownVendorId."""
    known = await link.services.records.data_transfer(
        link.station_id, p["vendorId"], p.get("messageId"), transfer_data(p.get("data"))
    )
    return {"status": DATA_TRANSFER_ANSWER[known]}


async def notify_report(link: Link, p: NotifyReportRequest) -> NotifyReportResponse:
    """B07/B08: report parts, kept for operators as sent."""
    await link.services.records.record(link.station_id, StationEventKind.NOTIFY_REPORT, dict(p))
    return {}


HANDLERS: Mapping[str, InboundHandler] = {
    "BootNotification": boot_notification,
    "Heartbeat": heartbeat,
    "StatusNotification": status_notification,
    "Authorize": authorize,
    "Get15118EVCertificate": get_15118_ev_certificate,
    "GetCertificateStatus": get_certificate_status,
    "TransactionEvent": transaction_event,
    "MeterValues": meter_values,
    "DataTransfer": data_transfer,
    "NotifyReport": notify_report,
    "SecurityEventNotification": maintenance.security_event,
    "SignCertificate": certificates.sign_certificate,
    "FirmwareStatusNotification": maintenance.firmware_status,
    "LogStatusNotification": maintenance.log_status,
    "PublishFirmwareStatusNotification": maintenance.publish_status,
    "ReservationStatusUpdate": reservation_status_update,
    "NotifyEvent": device_inbound.notify_event,
    "NotifyMonitoringReport": device_inbound.notify_monitoring_report,
    "NotifyDisplayMessages": device_inbound.notify_display_messages,
    "NotifyCustomerInformation": device_inbound.notify_customer_information,
    "ReportChargingProfiles": k.report_charging_profiles,
    "NotifyChargingLimit": k.notify_charging_limit,
    "ClearedChargingLimit": k.cleared_charging_limit,
    "NotifyEVChargingNeeds": k.notify_ev_charging_needs,
    "NotifyEVChargingSchedule": k.notify_ev_charging_schedule,
}
