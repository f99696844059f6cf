"""Golden frames of the 2.1 I-block (tariffs): requests rendered, answers read back.

Every request is checked against the OCA 2.1 schema; every answer table is total over the
schema's enum; an answer with an unknown word is read as rejected and says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ocpp
import pytest

from forecourt.domain.commands import Command, CommandStatus
from forecourt.domain.station_tariffs import (
    ChangeTransactionTariff,
    ClearTariffs,
    EnergyPrice,
    GetTariffs,
    SetDefaultTariff,
    StationTariff,
    TaxRate,
)
from forecourt.ocpp.v21 import ADAPTER
from forecourt.ocpp.v21.tariffs import TARIFF_STATUS
from forecourt.ocpp.validation import validator_for
from forecourt.ocpp.versions import OcppVersion

VALIDATOR = validator_for(OcppVersion.V21)
SCHEMAS = Path(ocpp.__file__).parent / "v21" / "schemas"

TIME_OF_DAY = StationTariff(
    tariff_id="TOU.r3",
    currency="USD",
    description="Time of use",
    energy=(EnergyPrice("0.30", "22:00", "07:00"), EnergyPrice("0.45", "07:00", "22:00")),
    fixed_fee="1.00",
    idle_price_per_minute="0.40",
    idle_grace_s=600,
    taxes=(TaxRate("Sales tax", "8.25"),),
    valid_from="2026-12-01T00:00:00+00:00",
)
FLAT = StationTariff("FLAT.r1", "EUR", "Flat", (EnergyPrice("0.59"),))
TAX = [{"type": "Sales tax", "tax": 8.25}]
TIME_OF_DAY_WIRE = {
    "tariffId": "TOU.r3",
    "currency": "USD",
    "description": [{"format": "UTF8", "language": "en", "content": "Time of use"}],
    "energy": {
        "prices": [
            {"priceKwh": 0.3, "conditions": {"startTimeOfDay": "22:00", "endTimeOfDay": "07:00"}},
            {"priceKwh": 0.45, "conditions": {"startTimeOfDay": "07:00", "endTimeOfDay": "22:00"}},
        ],
        "taxRates": TAX,
    },
    "fixedFee": {"prices": [{"priceFixed": 1.0}], "taxRates": TAX},
    "idleTime": {
        "prices": [{"priceMinute": 0.4, "conditions": {"minIdleTime": 600}}],
        "taxRates": TAX,
    },
    "validFrom": "2026-12-01T00:00:00+00:00",
}
FLAT_WIRE = {
    "tariffId": "FLAT.r1",
    "currency": "EUR",
    "description": [{"format": "UTF8", "language": "en", "content": "Flat"}],
    "energy": {"prices": [{"priceKwh": 0.59}]},
}

TARIFF_FRAMES: list[tuple[Command, str, dict[str, Any]]] = [
    (
        SetDefaultTariff(0, TIME_OF_DAY),
        "SetDefaultTariff",
        {"evseId": 0, "tariff": TIME_OF_DAY_WIRE},
    ),
    (SetDefaultTariff(2, FLAT), "SetDefaultTariff", {"evseId": 2, "tariff": FLAT_WIRE}),
    (GetTariffs(), "GetTariffs", {"evseId": 0}),
    (ClearTariffs(), "ClearTariffs", {}),
    (ClearTariffs(("FLAT.r1",), 2), "ClearTariffs", {"tariffIds": ["FLAT.r1"], "evseId": 2}),
    (
        ChangeTransactionTariff("TX-9", FLAT),
        "ChangeTransactionTariff",
        {"transactionId": "TX-9", "tariff": FLAT_WIRE},
    ),
]
TARIFF_COMMANDS: list[Command] = [command for command, _, _ in TARIFF_FRAMES]


@pytest.mark.parametrize(("command", "action", "payload"), TARIFF_FRAMES)
def test_golden_request(command: Command, action: str, payload: dict[str, Any]) -> None:
    rendered = ADAPTER.render(command)
    assert rendered == (action, payload)
    VALIDATOR.validate_request(action, rendered[1])


@pytest.mark.parametrize(
    "answer", ["SetDefaultTariffResponse", "ChangeTransactionTariffResponse", "GetTariffsResponse"]
)
def test_status_table_is_total_over_the_schema(answer: str) -> None:
    schema = json.loads((SCHEMAS / f"{answer}.json").read_text())
    enum = next(d["enum"] for n, d in schema["definitions"].items() if n.startswith("Tariff"))
    assert set(enum) <= set(TARIFF_STATUS)


@pytest.mark.parametrize(
    ("response", "status", "data"),
    [
        ({"status": "Accepted"}, CommandStatus.ACCEPTED, {"status": "Accepted"}),
        (
            {"status": "TooManyElements", "statusInfo": {"reasonCode": "Max3"}},
            CommandStatus.REJECTED,
            {"status": "TooManyElements", "reason": "Max3"},
        ),
        ({"status": "ConditionNotSupported"}, CommandStatus.NOT_SUPPORTED, None),
    ],
)
def test_set_default_answers(
    response: dict[str, Any], status: CommandStatus, data: dict[str, Any] | None
) -> None:
    VALIDATOR.validate_response("SetDefaultTariff", response)
    result = ADAPTER.interpret(SetDefaultTariff(0, FLAT), response)
    assert result.status is status
    if data is not None:
        assert result.data == data


def test_an_unknown_word_is_rejected_and_said() -> None:
    result = ADAPTER.interpret(ChangeTransactionTariff("TX", FLAT), {"status": "Maybe"})
    assert result.status is CommandStatus.REJECTED
    assert "Maybe" in result.error


def test_get_and_clear_answers() -> None:
    got = {
        "status": "Accepted",
        "tariffAssignments": [
            {"tariffId": "FLAT.r1", "tariffKind": "DriverTariff", "idTokens": ["AB12"]}
        ],
    }
    VALIDATOR.validate_response("GetTariffs", got)
    assert ADAPTER.interpret(GetTariffs(), got).data["tariffs"] == [
        {"tariff_id": "FLAT.r1", "kind": "DriverTariff", "evse_ids": [], "valid_from": ""}
    ]
    none = ADAPTER.interpret(GetTariffs(), {"status": "NoTariff"})
    assert (none.status, none.data["tariffs"]) == (CommandStatus.ACCEPTED, [])
    mixed = {
        "clearTariffsResult": [
            {"tariffId": "A", "status": "Accepted"},
            {"tariffId": "B", "status": "Rejected"},
        ]
    }
    VALIDATOR.validate_response("ClearTariffs", mixed)
    result = ADAPTER.interpret(ClearTariffs(("A", "B")), mixed)
    assert result.status is CommandStatus.REJECTED  # one refusal: the whole clear did not happen
    assert result.data["cleared"] == [
        {"tariff_id": "A", "status": "Accepted"},
        {"tariff_id": "B", "status": "Rejected"},
    ]
