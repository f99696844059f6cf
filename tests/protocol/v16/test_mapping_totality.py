"""Every enum value the OCPP 1.6 schemas allow is mapped, and every domain value maps out."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from forecourt.domain.commands import TriggerKind
from forecourt.domain.stations import RegistrationStatus
from forecourt.domain.tokens import AuthorizationStatus
from forecourt.ocpp.metering import CONTEXTS, MEASURANDS
from forecourt.ocpp.v16 import mapping


def schema(name: str) -> dict[str, Any]:
    text = resources.files("ocpp.v16.schemas").joinpath(f"{name}.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def enum_of(name: str, *path: str) -> set[str]:
    node: Any = schema(name)
    for key in path:
        node = node[key]
    return set(node["enum"])


def sampled_value_enum(field: str) -> set[str]:
    meter_value = schema("MeterValues")["properties"]["meterValue"]["items"]
    return set(meter_value["properties"]["sampledValue"]["items"]["properties"][field]["enum"])


def test_connector_status_table_is_total() -> None:
    assert set(mapping.CONNECTOR_STATUS) == enum_of("StatusNotification", "properties", "status")


def test_stop_reason_table_is_total() -> None:
    assert set(mapping.STOP_REASON) == enum_of("StopTransaction", "properties", "reason")


def test_authorization_and_registration_tables_cover_the_domain() -> None:
    assert set(mapping.AUTHORIZATION_STATUS) == set(AuthorizationStatus)
    allowed = enum_of("AuthorizeResponse", "properties", "idTagInfo", "properties", "status")
    assert set(mapping.AUTHORIZATION_STATUS.values()) <= allowed
    assert set(mapping.REGISTRATION_STATUS) == set(RegistrationStatus)


def test_trigger_table_matches_the_schema() -> None:
    requested = enum_of("TriggerMessage", "properties", "requestedMessage")
    assert set(mapping.TRIGGER.values()) == requested
    assert set(mapping.TRIGGER) | set(mapping.EXTENDED_TRIGGER) == set(TriggerKind) - {
        TriggerKind.TRANSACTION_EVENT
    }


def test_measurand_and_context_tables_cover_the_schema() -> None:
    assert sampled_value_enum("measurand") <= set(MEASURANDS)
    assert sampled_value_enum("context") <= set(CONTEXTS)
