"""The 2.1 adapter is the 2.0.1 adapter plus 2.1's additions, by construction.

Every list here is derived from the adapters' tables and the 2.1 schemas, never written out:
a 2.0.1 message another change adds is covered on 2.1 without touching this file.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from forecourt.ocpp.v21 import ADAPTER as V21
from forecourt.ocpp.v21 import inbound, mapping
from forecourt.ocpp.v201 import ADAPTER as V201
from forecourt.ocpp.v201.mapping import STOP_REASON, TOKEN_KIND
from forecourt.ocpp.validation import schema_directory, validator_for
from forecourt.ocpp.versions import OcppVersion
from tests.protocol.v201.test_outbound import INTERPRETED, RENDERED

VALIDATOR = validator_for(OcppVersion.V21)


def _definitions(action: str) -> dict[str, Any]:
    path = schema_directory(OcppVersion.V21).joinpath(f"{action}Request.json")
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8-sig"))
    return schema["definitions"]


def test_every_201_handler_serves_21_and_21_adds_its_own() -> None:
    assert set(V21.handlers) == set(V201.handlers) | set(inbound.ADDITIONS)


def test_every_21_handler_has_a_21_request_schema() -> None:
    assert set(V21.handlers) <= VALIDATOR.actions()


def test_every_stop_reason_of_21_is_read() -> None:
    reasons = set(_definitions("TransactionEvent")["ReasonEnumType"]["enum"])
    assert reasons <= set(STOP_REASON) | set(mapping.STOP_REASON_AS_201)


def test_translations_land_on_201_values() -> None:
    for translation, table in mapping.TRANSLATED_INTO:
        assert set(translation.values()) <= set(table)
        assert not set(translation) & set(table)  # only values 2.0.1 lacks


def test_token_types_of_21_are_read() -> None:
    # 2.1 makes the type a free string (IdTokenEnumStringType); the Appendix's values:
    appendix = {"Central", "DirectPayment", "eMAID", "EVCCID", "ISO14443", "ISO15693"}
    appendix |= {"KeyCode", "Local", "MacAddress", "NoAuthorization", "VIN"}
    assert appendix <= set(TOKEN_KIND) | set(mapping.TOKEN_TYPE_AS_201)


def test_every_settlement_status_is_read() -> None:
    path = schema_directory(OcppVersion.V21).joinpath("NotifySettlementRequest.json")
    schema = json.loads(path.read_text(encoding="utf-8-sig"))
    statuses = set(schema["definitions"]["PaymentStatusEnumType"]["enum"])
    assert statuses == set(mapping.SETTLEMENT_STATUS)


@pytest.mark.parametrize(("command", "action", "payload"), RENDERED)
def test_every_201_rendering_is_a_valid_21_request(command: Any, action: str, payload: Any) -> None:
    assert V21.render(command) == (action, payload)
    VALIDATOR.validate_request(action, payload)


@pytest.mark.parametrize(("command", "action", "response", "expected"), INTERPRETED)
def test_21_answers_read_as_on_201(command: Any, action: str, response: Any, expected: Any) -> None:
    VALIDATOR.validate_response(action, response)
    assert V21.interpret(command, response) == expected
