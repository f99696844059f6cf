"""OCPP 2.1 connector types into the compatibility engine: which cars fit ``cNACS-CCS1``
(a NACS cable with a built-in CCS1 adapter), and with what limits."""

from __future__ import annotations

import pytest

from forecourt.compat.domain.catalogue import default_catalogue
from forecourt.compat.domain.model import ConnectorOffer
from forecourt.compat.domain.rules import compatibility
from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType
from forecourt.ocpp.v21.connectors import OCPP_BUILT_IN_PLUG, connector_from_ocpp21

CATALOGUE = default_catalogue()
V3_STALL = ConnectorRating(PowerType.DC, 1000, 615, 250_000)


def offer(wire_value: str) -> ConnectorOffer:
    """A station's 2.1 connector type as the engine's connector offer."""
    cable, presents = connector_from_ocpp21(wire_value)
    built_in = CATALOGUE.built_in_adapter(cable, presents) if presents else None
    return ConnectorOffer(
        "CS-1/1/1", cable, V3_STALL, built_in_adapter_id=built_in.id if built_in else None
    )


def test_every_built_in_wire_value_has_a_catalogue_adapter() -> None:
    dock = CATALOGUE.built_in_adapter(ConnectorType.NACS, ConnectorType.CCS1)
    assert dock is not None
    assert offer("cNACS-CCS1").built_in_adapter_id == dock.id
    assert set(OCPP_BUILT_IN_PLUG) == {"cNACS-CCS1", "cCCS1-NACS"}
    reverse = CATALOGUE.built_in_adapter(ConnectorType.CCS1, ConnectorType.NACS)
    assert reverse is not None
    assert offer("cCCS1-NACS").built_in_adapter_id == reverse.id


def test_a_nacs_car_charges_at_a_ccs1_cable_through_its_built_in_adapter() -> None:
    ioniq = CATALOGUE.vehicle("hyundai-ioniq-5-lr-2025")  # NACS inlet, 800 V
    built_in = [a for a in CATALOGUE.adapters.values() if a.built_in]
    best = compatibility(ioniq, offer("cCCS1-NACS"), built_in)[0]
    assert best.works
    assert best.adapter_ids == ("ccs1-dispenser-nacs-adapter",)
    model_3 = CATALOGUE.vehicle("tesla-model-3-lr-2020")
    assert compatibility(model_3, offer("cCCS1-NACS"), built_in)[0].works


@pytest.mark.parametrize(
    ("vehicle_id", "adapters"),
    [
        ("tesla-model-3-lr-2020", ()),  # a NACS car takes the cable itself
        ("hyundai-ioniq-5-lr-2022", ("tesla-magic-dock",)),  # a CCS1 car through the dock
        ("ford-mustang-mach-e-er-2021", ("tesla-magic-dock",)),
    ],
)
def test_which_cars_fit_cnacs_ccs1(vehicle_id: str, adapters: tuple[str, ...]) -> None:
    vehicle = CATALOGUE.vehicle(vehicle_id)
    built_in = [a for a in CATALOGUE.adapters.values() if a.built_in]
    best = compatibility(vehicle, offer("cNACS-CCS1"), built_in)[0]
    assert best.works
    assert best.adapter_ids == adapters


def test_an_800_volt_ccs1_car_is_limited_by_the_dock() -> None:
    ioniq = CATALOGUE.vehicle("hyundai-ioniq-5-lr-2022")
    built_in = [a for a in CATALOGUE.adapters.values() if a.built_in]
    best = compatibility(ioniq, offer("cNACS-CCS1"), built_in)[0]
    assert "adapter_voltage_limit" in {w.code for w in best.warnings}  # 500 V behind the dock


def test_a_chademo_car_does_not_fit() -> None:
    leaf = CATALOGUE.vehicle("nissan-leaf-40-2018")
    built_in = [a for a in CATALOGUE.adapters.values() if a.built_in]
    assert not any(o.works for o in compatibility(leaf, offer("cNACS-CCS1"), built_in))
