"""OCPP 1.6 station -> CSMS handlers: decode, map, one service call, map back.

Convention: a 1.6 connectorId N is EVSE N with one connector (id 1); connectorId 0 is the
whole station. Requirement references are to the OCPP 1.6 specification, edition 2, §4 and §6.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from forecourt.domain.metering import MeterSample, SignedMeterValue
from forecourt.domain.stations import BootInfo, StatusReport
from forecourt.domain.tokens import AuthorizationResult, IdToken, id_tag_token
from forecourt.ocpp.adapter import InboundHandler, Link
from forecourt.ocpp.metering import (
    decimal_value,
    encoding_named_in,
    finite_or_reject,
    sample_key,
    to_sample,
)
from forecourt.ocpp.timestamps import format_timestamp, parse_timestamp
from forecourt.ocpp.v16 import certificates, maintenance, plug_and_charge
from forecourt.ocpp.v16.mapping import (
    AUTHORIZATION_STATUS,
    CONNECTOR_STATUS,
    NO_ERROR,
    REGISTRATION_STATUS,
    STOP_REASON,
)
from forecourt.ocpp.v16.wire_types.authorization import AuthorizeRequest, AuthorizeResponse
from forecourt.ocpp.v16.wire_types.common import IdTagInfo
from forecourt.ocpp.v16.wire_types.core import (
    BootNotificationRequest,
    BootNotificationResponse,
    HeartbeatRequest,
    HeartbeatResponse,
    StatusNotificationRequest,
    StatusNotificationResponse,
)
from forecourt.ocpp.v16.wire_types.diagnostics import (
    DataTransferRequest,
    DataTransferResponse,
)
from forecourt.ocpp.v16.wire_types.transactions import (
    MeterValue,
    MeterValuesRequest,
    MeterValuesResponse,
    StartTransactionRequest,
    StartTransactionResponse,
    StopTransactionRequest,
    StopTransactionResponse,
    TransactionData,
)
from forecourt.services.transactions import TransactionStart, TransactionStop


def evse_of(connector_id: int) -> tuple[int, int]:
    """1.6 connectorId -> (evse_id, connector_id)."""
    return (connector_id, 1) if connector_id > 0 else (0, 0)


def id_tag_info(result: AuthorizationResult) -> IdTagInfo:
    info: IdTagInfo = {"status": AUTHORIZATION_STATUS[result.status]}
    if result.expires_at is not None:
        info["expiryDate"] = format_timestamp(result.expires_at)
    if result.group:
        info["parentIdTag"] = result.group
    return info


def samples_of(
    meter_values: Sequence[MeterValue | TransactionData], *, strict: bool = False
) -> list[MeterSample]:
    """1.6 sampledValue.value is a decimal string; unit names carry the scale (Wh, kWh...).

    ``strict`` (MeterValues) refuses a value that is not a finite number with a CALLERROR;
    otherwise (StopTransaction.transactionData) it is passed on to be quarantined, because a
    refused StopTransaction is retried, then dropped, and the transaction would never end.
    """
    samples = []
    for i, mv in enumerate(meter_values):
        at = parse_timestamp(mv["timestamp"])
        signed = _signed_values(mv["sampledValue"])
        for j, sv in enumerate(mv["sampledValue"]):
            if sv.get("format", "Raw") != "Raw":
                continue
            value = decimal_value(sv["value"])
            if strict:
                field = f"meterValue[{i}].sampledValue[{j}].value"
                value = finite_or_reject(value, sv["value"], field)
            proof = signed.get(sample_key(sv))
            if proof is not None:
                proof = replace(proof, plain_data=f"{sv['value']} {sv.get('unit', 'Wh')}")
            samples.append(to_sample(at, sv, value, sv.get("unit"), 0, proof))
    return [s for s in samples if s is not None]


def _signed_values(
    sampled: Sequence[Mapping[str, Any]],
) -> dict[tuple[object, ...], SignedMeterValue]:
    """1.6 ``format: SignedData`` values, by the reading they sign: the ``Raw`` value of the
    same measurand, context, phase and location in the same meter value (a signed value
    without one is not a reading we can use, and is not kept)."""
    return {
        sample_key(sv): SignedMeterValue(sv["value"], encoding_named_in(sv["value"]))
        for sv in sampled
        if sv.get("format") == "SignedData"
    }


async def boot_notification(link: Link, p: BootNotificationRequest) -> BootNotificationResponse:
    """§4.2: register the station; Accepted/Pending/Rejected with an interval."""
    info = BootInfo(
        vendor=p["chargePointVendor"],
        model=p["chargePointModel"],
        serial_number=p.get("chargePointSerialNumber") or p.get("chargeBoxSerialNumber", ""),
        firmware_version=p.get("firmwareVersion", ""),
    )
    decision = await link.boot(info)
    link.registration = decision.status
    link.identified(info.vendor, info.model)
    return {
        "status": REGISTRATION_STATUS[decision.status],
        "currentTime": format_timestamp(decision.current_time),
        "interval": decision.interval_s,
    }


async def heartbeat(link: Link, _p: HeartbeatRequest) -> HeartbeatResponse:
    """§4.6."""
    now = await link.services.provisioning.heartbeat(link.station_id)
    return {"currentTime": format_timestamp(now)}


async def status_notification(
    link: Link, p: StatusNotificationRequest
) -> StatusNotificationResponse:
    """§4.9: connector status with error code; connectorId 0 is the station itself."""
    evse_id, connector_id = evse_of(p["connectorId"])
    error = p["errorCode"]
    report = StatusReport(
        evse_id=evse_id,
        connector_id=connector_id,
        status=CONNECTOR_STATUS[p["status"]],
        timestamp=_timestamp(link, p.get("timestamp")),
        detail=p["status"],
        error_code="" if error == NO_ERROR else p.get("vendorErrorCode") or error,
        info=p.get("info", ""),
        whole_evse=evse_id > 0,
        vendor_id=p.get(
            "vendorId", ""
        ),  # one 1.6 connectorId may have several cables (NACS + CCS1)
    )
    await link.services.availability.report(link.station_id, report)
    return {}


async def authorize(link: Link, p: AuthorizeRequest) -> AuthorizeResponse:
    """§4.1."""
    result = await link.services.authorization.authorize(link.station_id, _tag(p["idTag"]))
    return {"idTagInfo": id_tag_info(result)}


async def start_transaction(link: Link, p: StartTransactionRequest) -> StartTransactionResponse:
    """§4.8 + §3.x: a replayed start (same connector, time, tag) gets its original id back."""
    evse_id, connector_id = evse_of(p["connectorId"])
    outcome = await link.services.transactions.start(
        link.station_id,
        TransactionStart(
            evse_id=evse_id,
            connector_id=connector_id,
            timestamp=parse_timestamp(p["timestamp"]),
            id_token=_tag(p["idTag"]),
            meter_start_wh=float(p["meterStart"]),
            reservation_id=p.get("reservationId"),
        ),
    )
    assert outcome.transaction is not None  # start always yields a transaction
    return {
        "transactionId": outcome.transaction.id,
        "idTagInfo": id_tag_info(
            outcome.authorization or AuthorizationResult(outcome.transaction.auth_status)
        ),
    }


async def stop_transaction(link: Link, p: StopTransactionRequest) -> StopTransactionResponse:
    """§4.10: always acknowledged, even for an unknown transaction (else it retries forever)."""
    token = _tag(p["idTag"]) if p.get("idTag") else None
    outcome = await link.services.transactions.stop(
        link.station_id,
        TransactionStop(
            station_tx_id=str(p["transactionId"]),
            timestamp=parse_timestamp(p["timestamp"]),
            meter_stop_wh=float(p["meterStop"]),
            reason=STOP_REASON[p.get("reason", "Local")],
            id_token=token,
            samples=samples_of(p.get("transactionData", [])),
        ),
    )
    if outcome.authorization is None:
        return {}
    return {"idTagInfo": id_tag_info(outcome.authorization)}


async def meter_values(link: Link, p: MeterValuesRequest) -> MeterValuesResponse:
    """§4.7."""
    evse_id, _ = evse_of(p["connectorId"])
    tx_id = p.get("transactionId")
    await link.services.transactions.meter_values(
        link.station_id,
        evse_id,
        None if tx_id is None else str(tx_id),
        samples_of(p["meterValue"], strict=True),
    )
    return {}


async def data_transfer(link: Link, p: DataTransferRequest) -> DataTransferResponse:
    """§4.3: unknown vendors get UnknownVendorId; the OCA Plug & Charge wrapper is served."""
    if plug_and_charge.is_wrapped(p):
        return await plug_and_charge.data_transfer(link, p)
    known = await link.services.records.data_transfer(
        link.station_id, p["vendorId"], p.get("messageId"), p.get("data")
    )
    return {"status": "Accepted" if known else "UnknownVendorId"}


def _tag(value: str) -> IdToken:
    return id_tag_token(value)  # "VID:..." is an Autocharge car


def _timestamp(link: Link, text: str | None) -> datetime:
    return parse_timestamp(text) if text else link.services.clock.now()


HANDLERS: Mapping[str, InboundHandler] = {
    "BootNotification": boot_notification,
    "Heartbeat": heartbeat,
    "StatusNotification": status_notification,
    "Authorize": authorize,
    "StartTransaction": start_transaction,
    "StopTransaction": stop_transaction,
    "MeterValues": meter_values,
    "DataTransfer": data_transfer,
    "DiagnosticsStatusNotification": maintenance.diagnostics_status,
    "FirmwareStatusNotification": maintenance.firmware_status,
    "SignedFirmwareStatusNotification": maintenance.signed_firmware_status,
    "LogStatusNotification": maintenance.log_status,
    "SecurityEventNotification": maintenance.security_event,
    "SignCertificate": certificates.sign_certificate,
}
