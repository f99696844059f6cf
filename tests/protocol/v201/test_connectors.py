"""The OCPP 2.0.1 connector tables are total in both directions and match the schema."""

from __future__ import annotations

import json
from pathlib import Path

import ocpp

from forecourt.domain.connectors import ConnectorType
from forecourt.ocpp.v201 import connectors as maps


def test_every_connector_type_has_an_outbound_entry() -> None:
    assert set(maps.TO_OCPP201) == set(ConnectorType)


def test_outbound_values_are_real_wire_values() -> None:
    assert {v for v in maps.TO_OCPP201.values() if v} <= set(maps.OCPP201_CONNECTOR_VALUES)


def test_every_wire_value_maps_back() -> None:
    assert set(maps.FROM_OCPP201) == set(maps.OCPP201_CONNECTOR_VALUES)


def test_round_trip_preserves_the_connector_type() -> None:
    for connector_type, wire in maps.TO_OCPP201.items():
        if wire is not None:
            assert maps.FROM_OCPP201[wire] is connector_type


def test_ocpp201_value_list_matches_the_shipped_schema() -> None:
    schema = Path(ocpp.__file__).parent / "v201" / "schemas" / "ReserveNowRequest.json"
    enum = json.loads(schema.read_text())["definitions"]["ConnectorEnumType"]["enum"]
    assert tuple(enum) == maps.OCPP201_CONNECTOR_VALUES


def test_nacs_travels_as_ctesla() -> None:
    assert maps.TO_OCPP201[ConnectorType.NACS] == "cTesla"
    assert maps.connector_from_ocpp201("cTesla") is ConnectorType.NACS


def test_unknown_strings_are_unknown() -> None:
    assert maps.connector_from_ocpp201("cSomethingNew") is ConnectorType.UNKNOWN
