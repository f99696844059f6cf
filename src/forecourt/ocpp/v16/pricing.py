"""OCPP 1.6 prices and costs: the OCA "OCPP & California Pricing Requirements" messages.

They are not 1.6 messages of their own: ``SetUserPrice``, ``RunningCost`` and ``FinalCost``
travel as a JSON text in DataTransfer.data (vendorId ``org.openchargealliance.costmsg``), and
the price shown before a session is the ``DefaultPrice`` configuration key.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from forecourt.domain.commands import CostUpdate, DisplayPrice, StationPrice
from forecourt.domain.errors import CommandNotSupported
from forecourt.ocpp.v16.wire_types.configuration import ChangeConfigurationRequest
from forecourt.ocpp.v16.wire_types.diagnostics import DataTransferRequest

#: DataTransfer vendor of the OCA pricing messages.
COSTMSG_VENDOR = "org.openchargealliance.costmsg"
#: DefaultPrice.priceTextOffline: what the station shows when it cannot reach us.
OFFLINE_PRICE_TEXT = "The price is shown in the app or at the QR code link."


def default_price(command: StationPrice) -> ChangeConfigurationRequest:
    """DefaultPrice {priceText, priceTextOffline, chargingPrice}: one price for the whole
    station (1.6 has no per-EVSE display), so ``evse_id`` is not sent."""
    value = {
        "priceText": command.text,
        "priceTextOffline": OFFLINE_PRICE_TEXT,
        "chargingPrice": {
            "kWhPrice": _number(command.kwh_price),
            "flatFee": _number(command.flat_fee),
        },
    }
    return ChangeConfigurationRequest(key="DefaultPrice", value=json.dumps(value))


def user_price(command: DisplayPrice) -> DataTransferRequest:
    """SetUserPrice {idToken, priceText}: the station shows it to that driver."""
    if not command.id_token:
        raise CommandNotSupported("OCPP 1.6 SetUserPrice is for one driver: give id_token")
    return _costmsg("SetUserPrice", {"idToken": command.id_token, "priceText": command.text})


def cost(command: CostUpdate) -> DataTransferRequest:
    """FinalCost {transactionId, cost, priceText, qrCodeText} or RunningCost."""
    if not command.station_tx_id.isdigit():
        raise CommandNotSupported(
            f"1.6 transaction ids are integers, got {command.station_tx_id!r}"
        )
    data: dict[str, Any] = {
        "transactionId": int(command.station_tx_id),
        "cost": _number(command.total),
    }
    if command.final:
        data["priceText"] = command.text
        if command.receipt_url:
            data["qrCodeText"] = command.receipt_url
        return _costmsg("FinalCost", data)
    return _costmsg("RunningCost", data | _running(command))


def _running(command: CostUpdate) -> dict[str, Any]:
    data: dict[str, Any] = {"timestamp": command.at, "meterValue": command.meter_wh or 0}
    data["state"] = "Idle" if command.idle else "Charging"
    prices = (("kWhPrice", command.kwh_price), ("flatFee", command.flat_fee))
    price = {k: _number(v) for k, v in prices if v}
    if price:
        data["chargingPrice"] = price
    if command.idle_price_per_hour is not None:
        data["idlePrice"] = {
            "graceMinutes": command.idle_grace_minutes or 0,
            "hourPrice": _number(command.idle_price_per_hour),
        }
    return data


def _costmsg(message_id: str, data: dict[str, Any]) -> DataTransferRequest:
    # The OCA messages travel as a JSON text in DataTransfer.data.
    return DataTransferRequest(vendorId=COSTMSG_VENDOR, messageId=message_id, data=json.dumps(data))


def _number(text: str) -> float:
    # JSON numbers on the wire; a float's shortest repr gives back the decimal text exactly
    # for money amounts (< 15 significant digits), so "12.34" is sent as 12.34.
    return float(Decimal(text))
