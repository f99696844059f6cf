"""OCPP 1.6 price display: OCA "California Pricing Requirements" DataTransfer messages
(vendorId org.openchargealliance.costmsg), golden and schema-valid."""

from __future__ import annotations

import json
from typing import Any

import pytest

from forecourt.domain.commands import (
    CommandResult,
    CommandStatus,
    CostUpdate,
    DisplayPrice,
    StationPrice,
)
from forecourt.domain.errors import CommandNotSupported
from forecourt.ocpp.v16 import ADAPTER
from forecourt.ocpp.validation import validator_for
from forecourt.ocpp.versions import OcppVersion

VALIDATOR = validator_for(OcppVersion.V16)
VENDOR = "org.openchargealliance.costmsg"

#: (command, messageId, the JSON carried in DataTransfer.data)
GOLDEN: list[tuple[Any, str, dict[str, Any]]] = [
    (
        DisplayPrice("$0.45/kWh; session fee $1.00", id_token="FC12AB34CD56EF78"),
        "SetUserPrice",
        {"idToken": "FC12AB34CD56EF78", "priceText": "$0.45/kWh; session fee $1.00"},
    ),
    (
        CostUpdate(
            "42",
            "3.31",
            at="2026-11-21T10:00:00+00:00",
            meter_wh=1234000,
            kwh_price="0.45",
            flat_fee="1.00",
            idle_price_per_hour="24.00",
            idle_grace_minutes=10,
        ),
        "RunningCost",
        {
            "transactionId": 42,
            "cost": 3.31,
            "timestamp": "2026-11-21T10:00:00+00:00",
            "meterValue": 1234000,
            "state": "Charging",
            "chargingPrice": {"kWhPrice": 0.45, "flatFee": 1.0},
            "idlePrice": {"graceMinutes": 10, "hourPrice": 24.0},
        },
    ),
    (
        CostUpdate("42", "3.31", idle=True, at="2026-11-21T10:00:00+00:00", meter_wh=5),
        "RunningCost",
        {
            "transactionId": 42,
            "cost": 3.31,
            "timestamp": "2026-11-21T10:00:00+00:00",
            "meterValue": 5,
            "state": "Idle",
        },
    ),
    (
        CostUpdate(
            "42",
            "12.34",
            final=True,
            text="23.400 kWh, 50 min, total $12.34",
            receipt_url="https://cpo.example/receipts/AB12",
        ),
        "FinalCost",
        {
            "transactionId": 42,
            "cost": 12.34,
            "priceText": "23.400 kWh, 50 min, total $12.34",
            "qrCodeText": "https://cpo.example/receipts/AB12",
        },
    ),
]


@pytest.mark.parametrize(("command", "message_id", "data"), GOLDEN)
def test_pricing_renders_as_oca_datatransfer(
    command: Any, message_id: str, data: dict[str, Any]
) -> None:
    action, payload = ADAPTER.render(command)
    VALIDATOR.validate_request(action, payload)
    assert action == "DataTransfer"
    assert payload["vendorId"] == VENDOR
    assert payload["messageId"] == message_id
    assert json.loads(payload["data"]) == data


def test_station_price_is_the_default_price_key_byte_for_byte() -> None:
    """What the payments display built itself (OCA DefaultPrice) before the adapter rendered
    the neutral StationPrice: the same ChangeConfiguration, down to the JSON text."""
    command = StationPrice(1, "$0.45/kWh; session fee $1.00", kwh_price="0.45", flat_fee="1.00")
    action, payload = ADAPTER.render(command)
    VALIDATOR.validate_request(action, payload)
    assert (action, payload) == (
        "ChangeConfiguration",
        {
            "key": "DefaultPrice",
            "value": '{"priceText": "$0.45/kWh; session fee $1.00", "priceTextOffline": '
            '"The price is shown in the app or at the QR code link.", '
            '"chargingPrice": {"kWhPrice": 0.45, "flatFee": 1.0}}',
        },
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [("Accepted", CommandStatus.ACCEPTED), ("NotSupported", CommandStatus.NOT_SUPPORTED)],
)
def test_default_price_answers(status: str, expected: CommandStatus) -> None:
    VALIDATOR.validate_response("ChangeConfiguration", {"status": status})
    result = ADAPTER.interpret(StationPrice(1, "x", "0", "0"), {"status": status})
    assert result.status is expected


def test_amounts_are_exact_decimals_on_the_wire() -> None:
    _, payload = ADAPTER.render(CostUpdate("7", "0.10", final=True))
    assert '"cost": 0.1' in payload["data"]  # never 0.10000000000000001


def test_set_user_price_needs_the_driver_token() -> None:
    with pytest.raises(CommandNotSupported, match="id_token"):
        ADAPTER.render(DisplayPrice("$0.45/kWh"))


def test_cost_for_a_non_integer_transaction_is_not_supported() -> None:
    with pytest.raises(CommandNotSupported, match="integers"):
        ADAPTER.render(CostUpdate("tx-abc", "1.00"))


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Accepted", CommandStatus.ACCEPTED),
        ("Rejected", CommandStatus.REJECTED),
        ("UnknownVendorId", CommandStatus.UNKNOWN_VENDOR),
        ("UnknownMessageId", CommandStatus.UNKNOWN_MESSAGE),
    ],
)
def test_answers(status: str, expected: CommandStatus) -> None:
    VALIDATOR.validate_response("DataTransfer", {"status": status})
    result = ADAPTER.interpret(CostUpdate("1", "1.00"), {"status": status})
    assert result == CommandResult(expected, {"status": status})
