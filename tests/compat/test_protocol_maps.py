"""The protocol mapping tables are total in both directions."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import ocpp
import pytest

from forecourt.domain import protocol_maps as maps
from forecourt.domain.connectors import ConnectorType, PowerType

OUTBOUND = [maps.TO_OCPP201, maps.TO_OCPP21, maps.TO_OCPI221, maps.TO_OCPI230]


@pytest.mark.parametrize("table", OUTBOUND)
def test_every_connector_type_has_an_outbound_entry(table: Mapping[ConnectorType, object]) -> None:
    assert set(table) == set(ConnectorType)


def test_outbound_values_are_real_wire_values() -> None:
    assert {v for v in maps.TO_OCPP201.values() if v} <= set(maps.OCPP201_CONNECTOR_VALUES)
    assert {v for v in maps.TO_OCPP21.values() if v} <= set(maps.OCPP21_CONNECTOR_VALUES)
    assert {v for v in maps.TO_OCPI221.values() if v} <= set(maps.OCPI221_CONNECTOR_VALUES)
    ocpi230 = {*maps.OCPI221_CONNECTOR_VALUES, *maps.OCPI230_ADDED_CONNECTOR_VALUES}
    assert {v for v in maps.TO_OCPI230.values() if v} <= ocpi230


def test_every_wire_value_maps_back() -> None:
    assert set(maps.FROM_OCPP201) == set(maps.OCPP201_CONNECTOR_VALUES)
    assert set(maps.FROM_OCPP21) == set(maps.OCPP21_CONNECTOR_VALUES)
    assert set(maps.FROM_OCPI) == {
        *maps.OCPI221_CONNECTOR_VALUES,
        *maps.OCPI230_ADDED_CONNECTOR_VALUES,
    }
    assert set(maps.FROM_OCPI_POWER) == set(maps.OCPI221_POWER_VALUES)
    assert set(maps.TO_OCPI_POWER) == set(PowerType)


@pytest.mark.parametrize(
    ("table", "back"),
    [
        (maps.TO_OCPP201, maps.FROM_OCPP201),
        (maps.TO_OCPP21, maps.FROM_OCPP21),
        (maps.TO_OCPI221, maps.FROM_OCPI),
        (maps.TO_OCPI230, maps.FROM_OCPI),
    ],
)
def test_round_trip_preserves_the_connector_type(
    table: Mapping[ConnectorType, str | None], back: Mapping[str, ConnectorType]
) -> None:
    for connector_type, wire in table.items():
        if wire is not None:
            assert back[wire] is connector_type


def test_ocpp201_value_list_matches_the_shipped_schema() -> None:
    schema = Path(ocpp.__file__).parent / "v201" / "schemas" / "ReserveNowRequest.json"
    enum = json.loads(schema.read_text())["definitions"]["ConnectorEnumType"]["enum"]
    assert tuple(enum) == maps.OCPP201_CONNECTOR_VALUES


def test_nacs_representation_per_standard() -> None:
    assert maps.TO_OCPP201[ConnectorType.NACS] == "cTesla"
    assert maps.TO_OCPP21[ConnectorType.NACS] == "cNACS"
    assert maps.TO_OCPI221[ConnectorType.NACS] == "TESLA_S"
    assert maps.TO_OCPI230[ConnectorType.NACS] == "SAE_J3400"
    assert maps.connector_from_ocpi("SAE_J3400") is ConnectorType.NACS


def test_built_in_adapters_read_back_as_two_plugs() -> None:
    assert maps.connector_from_ocpp21("cNACS-CCS1") == (ConnectorType.NACS, ConnectorType.CCS1)
    assert maps.connector_from_ocpp21("cCCS1-NACS") == (ConnectorType.CCS1, ConnectorType.NACS)
    assert maps.connector_from_ocpp21("cCCS1") == (ConnectorType.CCS1, None)


def test_unknown_strings_are_unknown() -> None:
    assert maps.connector_from_ocpp201("cSomethingNew") is ConnectorType.UNKNOWN
    assert maps.connector_from_ocpp21("vendor-x")[0] is ConnectorType.UNKNOWN
    assert maps.connector_from_ocpi("NOT_A_TYPE") is ConnectorType.UNKNOWN
    assert maps.power_from_ocpi("AC_9_PHASE") is None
    assert maps.power_from_ocpi("AC_2_PHASE_SPLIT") is PowerType.AC_1_PHASE
