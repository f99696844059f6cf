"""OCPP 2.0.1 price display: SetDisplayMessage (O01/O02) and CostUpdated (I02), golden and
schema-valid."""

from __future__ import annotations

from typing import Any

import pytest

from forecourt.domain.commands import (
    CommandResult,
    CommandStatus,
    CostUpdate,
    DisplayPrice,
    StationPrice,
)
from forecourt.ocpp.rpc import to_json
from forecourt.ocpp.v201 import ADAPTER
from forecourt.ocpp.validation import validator_for
from forecourt.ocpp.versions import OcppVersion

VALIDATOR = validator_for(OcppVersion.V201)

GOLDEN: list[tuple[Any, str, dict[str, Any]]] = [
    (
        DisplayPrice("EVSE 1: $0.45/kWh", message_id=7101),
        "SetDisplayMessage",
        {
            "message": {
                "id": 7101,
                "priority": "NormalCycle",
                "state": "Idle",
                "message": {"format": "UTF8", "language": "en", "content": "EVSE 1: $0.45/kWh"},
            }
        },
    ),
    (
        DisplayPrice("$0.45/kWh", station_tx_id="tx-9", message_id=3, language="es-419x"),
        "SetDisplayMessage",
        {
            "message": {
                "id": 3,
                "priority": "InFront",
                "transactionId": "tx-9",
                "message": {"format": "UTF8", "language": "es-419x", "content": "$0.45/kWh"},
            }
        },
    ),
    (CostUpdate("tx-9", "3.31"), "CostUpdated", {"totalCost": 3.31, "transactionId": "tx-9"}),
    (
        CostUpdate("tx-9", "12.34", final=True, text="ignored by 2.0.1"),
        "CostUpdated",
        {"totalCost": 12.34, "transactionId": "tx-9"},
    ),
]


@pytest.mark.parametrize(("command", "action", "payload"), GOLDEN)
def test_pricing_render_golden_and_schema_valid(
    command: Any, action: str, payload: dict[str, Any]
) -> None:
    assert ADAPTER.render(command) == (action, payload)
    VALIDATOR.validate_request(action, payload)


def test_station_price_is_one_idle_message_per_evse_byte_for_byte() -> None:
    """What the payments display sent as DisplayPrice("EVSE n: ...", message_id=7100 + n)
    before the adapter rendered the neutral StationPrice: the same frame, key order too."""
    action, payload = ADAPTER.render(StationPrice(3, "$0.45/kWh; session fee $1.00", "0.45", "1"))
    assert action == "SetDisplayMessage"
    assert to_json(payload) == (
        '{"message":{"id":7103,"message":{"format":"UTF8","language":"en",'
        '"content":"EVSE 3: $0.45/kWh; session fee $1.00"},'
        '"priority":"NormalCycle","state":"Idle"}}'
    )
    VALIDATOR.validate_request(action, payload)
    answer = ADAPTER.interpret(StationPrice(3, "x", "0", "0"), {"status": "NotSupportedState"})
    assert answer.status is CommandStatus.NOT_SUPPORTED


def test_long_texts_are_cut_to_the_schema_limit() -> None:
    action, payload = ADAPTER.render(DisplayPrice("x" * 600))
    VALIDATOR.validate_request(action, payload)
    assert len(payload["message"]["message"]["content"]) == 512


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Accepted", CommandStatus.ACCEPTED),
        ("NotSupportedMessageFormat", CommandStatus.NOT_SUPPORTED),
        ("NotSupportedPriority", CommandStatus.NOT_SUPPORTED),
        ("NotSupportedState", CommandStatus.NOT_SUPPORTED),
        ("Rejected", CommandStatus.REJECTED),
        ("UnknownTransaction", CommandStatus.REJECTED),
    ],
)
def test_display_message_answers(status: str, expected: CommandStatus) -> None:
    VALIDATOR.validate_response("SetDisplayMessage", {"status": status})
    assert ADAPTER.interpret(DisplayPrice("x"), {"status": status}).status is expected


def test_cost_updated_answer_has_no_status() -> None:
    VALIDATOR.validate_response("CostUpdated", {})
    assert ADAPTER.interpret(CostUpdate("t", "1"), {}) == CommandResult(CommandStatus.ACCEPTED)
