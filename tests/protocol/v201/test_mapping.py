"""Totality of the 2.0.1 tables, checked against the enum lists in the OCA JSON schemas.

The enum lists are read from the schema files, so a value the schema allows and a table
lacks (or a domain value without a wire value) fails here, not in production.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

import forecourt.ocpp.v201 as v201_package
from forecourt.domain.commands import ReportKind, TriggerKind
from forecourt.domain.stations import ConnectorStatus, RegistrationStatus
from forecourt.domain.tokens import AuthorizationStatus, TokenKind
from forecourt.ocpp import metering
from forecourt.ocpp.errors import ErrorKind, OcppError
from forecourt.ocpp.v201 import ADAPTER, inbound
from forecourt.ocpp.v201 import mapping as m
from forecourt.ocpp.validation import schema_directory, validator_for
from forecourt.ocpp.versions import OcppVersion


def schema_enum(schema: str, definition: str) -> set[str]:
    text = schema_directory(OcppVersion.V201).joinpath(f"{schema}.json").read_text("utf-8-sig")
    values: list[str] = json.loads(text)["definitions"][definition]["enum"]
    return set(values)


#: wire -> domain tables: every schema value is a key, and nothing else is.
INBOUND: list[tuple[str, Mapping[Any, Any], str, str]] = [
    (
        "CONNECTOR_STATUS",
        m.CONNECTOR_STATUS,
        "StatusNotificationRequest",
        "ConnectorStatusEnumType",
    ),
    ("TOKEN_KIND", m.TOKEN_KIND, "AuthorizeRequest", "IdTokenEnumType"),
    ("STOP_REASON", m.STOP_REASON, "TransactionEventRequest", "ReasonEnumType"),
    ("CHARGING_STATE", m.CHARGING_STATE, "TransactionEventRequest", "ChargingStateEnumType"),
    ("EVENT_TYPES", inbound.EVENT_TYPES, "TransactionEventRequest", "TransactionEventEnumType"),
    ("BOOT_REASON", m.BOOT_REASON, "BootNotificationRequest", "BootReasonEnumType"),
    ("TRIGGER_KIND", m.TRIGGER_KIND, "TriggerMessageRequest", "MessageTriggerEnumType"),
    ("REPORT_KIND", m.REPORT_KIND, "GetBaseReportRequest", "ReportBaseEnumType"),
    ("RESET_STATUS", m.RESET_STATUS, "ResetResponse", "ResetStatusEnumType"),
    ("UNLOCK_STATUS", m.UNLOCK_STATUS, "UnlockConnectorResponse", "UnlockStatusEnumType"),
    (
        "CHANGE_AVAILABILITY_STATUS",
        m.CHANGE_AVAILABILITY_STATUS,
        "ChangeAvailabilityResponse",
        "ChangeAvailabilityStatusEnumType",
    ),
    (
        "START_STOP_STATUS (start)",
        m.START_STOP_STATUS,
        "RequestStartTransactionResponse",
        "RequestStartStopStatusEnumType",
    ),
    (
        "START_STOP_STATUS (stop)",
        m.START_STOP_STATUS,
        "RequestStopTransactionResponse",
        "RequestStartStopStatusEnumType",
    ),
    ("TRIGGER_STATUS", m.TRIGGER_STATUS, "TriggerMessageResponse", "TriggerMessageStatusEnumType"),
    (
        "GET_VARIABLE_STATUS",
        m.GET_VARIABLE_STATUS,
        "GetVariablesResponse",
        "GetVariableStatusEnumType",
    ),
    (
        "SET_VARIABLE_STATUS",
        m.SET_VARIABLE_STATUS,
        "SetVariablesResponse",
        "SetVariableStatusEnumType",
    ),
    ("REPORT_STATUS", m.REPORT_STATUS, "GetBaseReportResponse", "GenericDeviceModelStatusEnumType"),
    ("CLEAR_CACHE_STATUS", m.CLEAR_CACHE_STATUS, "ClearCacheResponse", "ClearCacheStatusEnumType"),
    (
        "DATA_TRANSFER_STATUS",
        m.DATA_TRANSFER_STATUS,
        "DataTransferResponse",
        "DataTransferStatusEnumType",
    ),
    ("MEASURANDS (shared)", metering.MEASURANDS, "TransactionEventRequest", "MeasurandEnumType"),
    ("CONTEXTS (shared)", metering.CONTEXTS, "MeterValuesRequest", "ReadingContextEnumType"),
]


@pytest.mark.parametrize(
    ("name", "table", "schema", "definition"), INBOUND, ids=[t[0] for t in INBOUND]
)
def test_inbound_table_covers_the_schema_enum(
    name: str, table: Mapping[Any, Any], schema: str, definition: str
) -> None:
    allowed = schema_enum(schema, definition)
    assert allowed - set(table) == set(), f"{name} lacks schema values"
    if not name.endswith("(shared)"):  # the shared tables also hold 1.6-only values
        assert set(table) - allowed == set(), f"{name} has values the schema does not allow"


#: domain -> wire tables: every domain value is a key; every wire value is allowed.
OUTBOUND: list[tuple[str, Mapping[Any, Any], set[Any], str, str]] = [
    (
        "CONNECTOR_STATUS_OUT",
        m.CONNECTOR_STATUS_OUT,
        set(ConnectorStatus),
        "StatusNotificationRequest",
        "ConnectorStatusEnumType",
    ),
    (
        "TOKEN_TYPE",
        m.TOKEN_TYPE,
        set(TokenKind),
        "RequestStartTransactionRequest",
        "IdTokenEnumType",
    ),
    (
        "AUTHORIZATION_STATUS (Authorize)",
        m.AUTHORIZATION_STATUS,
        set(AuthorizationStatus),
        "AuthorizeResponse",
        "AuthorizationStatusEnumType",
    ),
    (
        "AUTHORIZATION_STATUS (TransactionEvent)",
        m.AUTHORIZATION_STATUS,
        set(AuthorizationStatus),
        "TransactionEventResponse",
        "AuthorizationStatusEnumType",
    ),
    (
        "REGISTRATION_STATUS",
        m.REGISTRATION_STATUS,
        set(RegistrationStatus),
        "BootNotificationResponse",
        "RegistrationStatusEnumType",
    ),
    (
        "TRIGGER_MESSAGE",
        m.TRIGGER_MESSAGE,
        set(TriggerKind),
        "TriggerMessageRequest",
        "MessageTriggerEnumType",
    ),
    ("REPORT_BASE", m.REPORT_BASE, set(ReportKind), "GetBaseReportRequest", "ReportBaseEnumType"),
    ("RESET_TYPE", m.RESET_TYPE, {True, False}, "ResetRequest", "ResetEnumType"),
    (
        "OPERATIONAL_STATUS",
        m.OPERATIONAL_STATUS,
        {True, False},
        "ChangeAvailabilityRequest",
        "OperationalStatusEnumType",
    ),
    (
        "DATA_TRANSFER_ANSWER",
        m.DATA_TRANSFER_ANSWER,
        {True, False},
        "DataTransferResponse",
        "DataTransferStatusEnumType",
    ),
]


@pytest.mark.parametrize(
    ("name", "table", "domain", "schema", "definition"), OUTBOUND, ids=[t[0] for t in OUTBOUND]
)
def test_outbound_table_maps_every_domain_value(
    name: str, table: Mapping[Any, Any], domain: set[Any], schema: str, definition: str
) -> None:
    assert set(table) == domain, f"{name} must map every domain value"
    sent = {wire for wire in table.values() if wire is not None}
    assert sent <= schema_enum(schema, definition), f"{name} sends values the schema lacks"


def test_whole_wire_enums_are_reachable_where_the_domain_is_as_rich() -> None:
    assert set(m.RESET_TYPE.values()) == schema_enum("ResetRequest", "ResetEnumType")
    assert set(m.OPERATIONAL_STATUS.values()) == schema_enum(
        "ChangeAvailabilityRequest", "OperationalStatusEnumType"
    )
    assert set(m.REPORT_BASE.values()) == schema_enum("GetBaseReportRequest", "ReportBaseEnumType")


def test_round_trips() -> None:
    for status, wire in m.CONNECTOR_STATUS_OUT.items():
        if wire is not None:
            assert m.CONNECTOR_STATUS[wire] is status
    assert m.CONNECTOR_STATUS_OUT[ConnectorStatus.UNKNOWN] is None  # never reported by 2.0.1
    for kind, wire in m.TOKEN_TYPE.items():
        # PAYMENT has no 2.0.1 type (2.1 adds DirectPayment): it is sent as Local.
        expected = TokenKind.LOCAL if kind is TokenKind.PAYMENT else kind
        assert m.TOKEN_KIND[wire] is expected
    for trigger, wire in m.TRIGGER_MESSAGE.items():
        assert m.TRIGGER_KIND[wire] is trigger
    for report, wire in m.REPORT_BASE.items():
        assert m.REPORT_KIND[wire] is report


def test_neutral_words_are_not_wire_words() -> None:
    for table in (m.CHARGING_STATE, m.BOOT_REASON):
        for wire, word in table.items():
            assert word == word.lower()
            assert word != wire


def test_lookup_names_the_field() -> None:
    with pytest.raises(OcppError, match="unexpected connectorStatus 'Charging'") as caught:
        m.lookup(m.CONNECTOR_STATUS, "Charging", "connectorStatus")
    assert caught.value.kind is ErrorKind.PROPERTY_CONSTRAINT


def test_handlers_are_station_to_csms_actions_with_a_schema() -> None:
    actions = validator_for(OcppVersion.V201).actions()
    assert set(ADAPTER.handlers) <= actions
    assert ADAPTER.version is OcppVersion.V201
    assert ADAPTER.protocol.value == "2.0.1"


def test_the_enum_values_of_the_domain_are_not_wire_strings() -> None:
    """Sanity: the domain enums stay in Forecourt's words (DESIGN §2 rule 2)."""
    for enum in (ConnectorStatus, AuthorizationStatus, TokenKind, RegistrationStatus):
        assert all(isinstance(v, Enum) and v.value == v.value.lower() for v in enum)


def test_v201_imports_neither_v16_nor_storage() -> None:
    package = Path(v201_package.__file__).parent
    for source in package.glob("*.py"):
        tree = ast.parse(source.read_text("utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(("forecourt.ocpp.v16", "forecourt.storage")), (
                    f"{source.name} imports {name}"
                )
