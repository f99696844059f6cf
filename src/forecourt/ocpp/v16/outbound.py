"""OCPP 1.6 CSMS -> station: render neutral commands, interpret the answers."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import singledispatch
from typing import Any

from forecourt.domain.commands import (
    ChangeAvailability,
    ClearCache,
    Command,
    CommandResult,
    CommandStatus,
    CostUpdate,
    DataTransfer,
    DisplayPrice,
    GetBaseReport,
    GetConfiguration,
    RemoteStart,
    RemoteStop,
    Reset,
    SetConfiguration,
    TriggerMessage,
    UnlockConnector,
)
from forecourt.domain.errors import CommandNotSupported, InvalidInput
from forecourt.ocpp.adapter import Payload
from forecourt.ocpp.v16.mapping import COMMAND_STATUS, EXTENDED_TRIGGER, TRIGGER


@singledispatch
def render(command: Any) -> tuple[str, Payload]:
    raise CommandNotSupported(f"OCPP 1.6 has no {type(command).__name__} command")


@render.register
def _(c: Reset) -> tuple[str, Payload]:
    return "Reset", {"type": "Hard" if c.hard else "Soft"}


@render.register
def _(c: UnlockConnector) -> tuple[str, Payload]:
    return "UnlockConnector", {"connectorId": _connector(c.evse_id, c.connector_id)}


@render.register
def _(c: ChangeAvailability) -> tuple[str, Payload]:
    kind = "Operative" if c.operative else "Inoperative"
    return "ChangeAvailability", {"connectorId": c.evse_id, "type": kind}


@render.register
def _(c: RemoteStart) -> tuple[str, Payload]:
    payload: Payload = {"idTag": c.id_token}
    if c.evse_id is not None:
        payload["connectorId"] = _connector(c.evse_id, 1)
    return "RemoteStartTransaction", payload


@render.register
def _(c: RemoteStop) -> tuple[str, Payload]:
    if not c.station_tx_id.isdigit():
        raise InvalidInput(f"1.6 transaction ids are integers, got {c.station_tx_id!r}")
    return "RemoteStopTransaction", {"transactionId": int(c.station_tx_id)}


@render.register
def _(c: TriggerMessage) -> tuple[str, Payload]:
    payload: Payload = {}
    if c.evse_id is not None:
        payload["connectorId"] = c.evse_id
    if c.message in TRIGGER:
        return "TriggerMessage", {"requestedMessage": TRIGGER[c.message], **payload}
    if c.message in EXTENDED_TRIGGER:
        return "ExtendedTriggerMessage", {
            "requestedMessage": EXTENDED_TRIGGER[c.message],
            **payload,
        }
    raise CommandNotSupported(f"OCPP 1.6 cannot trigger {c.message.value}")


@render.register
def _(c: GetConfiguration) -> tuple[str, Payload]:
    if not c.keys:
        return "GetConfiguration", {}
    return "GetConfiguration", {"key": [k.variable for k in c.keys]}


@render.register
def _(c: SetConfiguration) -> tuple[str, Payload]:
    return "ChangeConfiguration", {"key": c.key.variable, "value": c.value}


@render.register
def _(c: GetBaseReport) -> tuple[str, Payload]:
    raise CommandNotSupported("OCPP 1.6 has no base report; use get-config instead")


@render.register
def _(c: ClearCache) -> tuple[str, Payload]:
    return "ClearCache", {}


@render.register
def _(c: DataTransfer) -> tuple[str, Payload]:
    payload: Payload = {"vendorId": c.vendor_id}
    if c.message_id is not None:
        payload["messageId"] = c.message_id
    if c.data is not None:
        payload["data"] = c.data
    return "DataTransfer", payload


#: OCA "OCPP & California Pricing Requirements": DataTransfer vendor of its messages.
COSTMSG_VENDOR = "org.openchargealliance.costmsg"


@render.register
def _(c: DisplayPrice) -> tuple[str, Payload]:
    """OCA SetUserPrice: {idToken, priceText} (the station shows it to that driver)."""
    if not c.id_token:
        raise CommandNotSupported("OCPP 1.6 SetUserPrice is for one driver: give id_token")
    data = {"idToken": c.id_token, "priceText": c.text}
    return "DataTransfer", _costmsg("SetUserPrice", data)


@render.register
def _(c: CostUpdate) -> tuple[str, Payload]:
    """OCA FinalCost {transactionId, cost, priceText, qrCodeText} or RunningCost."""
    if not c.station_tx_id.isdigit():
        raise CommandNotSupported(f"1.6 transaction ids are integers, got {c.station_tx_id!r}")
    data: Payload = {"transactionId": int(c.station_tx_id), "cost": _number(c.total)}
    if c.final:
        data["priceText"] = c.text
        if c.receipt_url:
            data["qrCodeText"] = c.receipt_url
        return "DataTransfer", _costmsg("FinalCost", data)
    data |= {"timestamp": c.at, "meterValue": c.meter_wh or 0}
    data["state"] = "Idle" if c.idle else "Charging"
    price = {k: _number(v) for k, v in (("kWhPrice", c.kwh_price), ("flatFee", c.flat_fee)) if v}
    if price:
        data["chargingPrice"] = price
    if c.idle_price_per_hour is not None:
        data["idlePrice"] = {
            "graceMinutes": c.idle_grace_minutes or 0,
            "hourPrice": _number(c.idle_price_per_hour),
        }
    return "DataTransfer", _costmsg("RunningCost", data)


def _costmsg(message_id: str, data: Payload) -> Payload:
    # The OCA messages travel as a JSON text in DataTransfer.data.
    return {"vendorId": COSTMSG_VENDOR, "messageId": message_id, "data": json.dumps(data)}


def _number(text: str) -> float:
    # JSON numbers on the wire; a float's shortest repr gives back the decimal text exactly
    # for money amounts (< 15 significant digits), so "12.34" is sent as 12.34.
    return float(Decimal(text))


def interpret(command: Command, response: Payload) -> CommandResult:
    if isinstance(command, GetConfiguration):
        return _configuration(response)
    status = COMMAND_STATUS.get(response.get("status", ""), CommandStatus.REJECTED)
    data: Payload = {"status": response.get("status")}
    if isinstance(command, DataTransfer) and "data" in response:
        data["data"] = response["data"]
    return CommandResult(status, data)


def _configuration(response: Payload) -> CommandResult:
    values = [
        {"key": item["key"], "value": item.get("value"), "readonly": item["readonly"]}
        for item in response.get("configurationKey", [])
    ]
    return CommandResult(
        CommandStatus.ACCEPTED, {"values": values, "unknown": response.get("unknownKey", [])}
    )


def _connector(evse_id: int, connector_id: int) -> int:
    if connector_id != 1:
        raise InvalidInput("OCPP 1.6 stations have one connector per connectorId; use connector 1")
    return evse_id
