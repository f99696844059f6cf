"""The OCPP 2.1 connector tables are total in both directions."""

from __future__ import annotations

from forecourt.domain.connectors import ConnectorType
from forecourt.ocpp.v21 import connectors as maps


def test_every_connector_type_has_an_outbound_entry() -> None:
    assert set(maps.TO_OCPP21) == set(ConnectorType)


def test_outbound_values_are_real_wire_values() -> None:
    assert {v for v in maps.TO_OCPP21.values() if v} <= set(maps.OCPP21_CONNECTOR_VALUES)


def test_every_wire_value_maps_back() -> None:
    assert set(maps.FROM_OCPP21) == set(maps.OCPP21_CONNECTOR_VALUES)


def test_round_trip_preserves_the_connector_type() -> None:
    for connector_type, wire in maps.TO_OCPP21.items():
        if wire is not None:
            assert maps.FROM_OCPP21[wire] is connector_type


def test_nacs_is_cnacs() -> None:
    assert maps.TO_OCPP21[ConnectorType.NACS] == "cNACS"


def test_built_in_adapters_read_back_as_two_plugs() -> None:
    assert maps.connector_from_ocpp21("cNACS-CCS1") == (ConnectorType.NACS, ConnectorType.CCS1)
    assert maps.connector_from_ocpp21("cCCS1-NACS") == (ConnectorType.CCS1, ConnectorType.NACS)
    assert maps.connector_from_ocpp21("cCCS1") == (ConnectorType.CCS1, None)


def test_unknown_strings_are_unknown() -> None:
    assert maps.connector_from_ocpp21("vendor-x")[0] is ConnectorType.UNKNOWN
