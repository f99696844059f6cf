"""NACS-inlet model years need an adapter at a CCS1 stall: without one nothing fits."""

from __future__ import annotations

import pytest

from forecourt.compat.domain import Confidence, best_option, default_catalogue
from forecourt.domain.connectors import ConnectorType
from tests.compat.factories import ac_connector, dc_connector

NACS_INLET_MODEL_YEARS = [
    "tesla-model-3-lr-2024",
    "tesla-model-3-sr-2024",
    "kia-ev6-lr-2025",
    "kia-ev9-lr-2026",
    "tesla-model-y-lr-2025",
]


@pytest.mark.parametrize("vehicle_id", NACS_INLET_MODEL_YEARS)
def test_without_an_adapter_a_ccs1_stall_does_not_fit(vehicle_id: str) -> None:
    car = default_catalogue().vehicle(vehicle_id)
    ccs1 = dc_connector(ConnectorType.CCS1, volts=1000, amps=500, kw=350)
    nacs = dc_connector(ConnectorType.NACS, volts=1000, amps=615, kw=400)

    refused, no_estimate = best_option(car, ccs1, 10, 80, adapters=())
    native, at_nacs = best_option(car, nacs, 10, 80, adapters=())
    adapted, at_ccs1 = best_option(car, ccs1, 10, 80)  # the maker's own adapters

    assert not refused.works
    assert no_estimate is None
    assert refused.reason is not None
    assert refused.reason.code == "no_fit"
    assert native.works
    assert native.adapter_ids == ()
    assert adapted.works
    assert adapted.adapter_ids == tuple(a for a in car.oem_adapter_ids if "ccs1-to-nacs" in a)
    assert at_nacs is not None
    assert at_ccs1 is not None
    assert at_nacs.reached_soc == at_ccs1.reached_soc == 80


def test_the_2024_model_3_trims_have_their_own_packs_and_limits() -> None:
    catalogue = default_catalogue()
    long_range = catalogue.vehicle("tesla-model-3-lr-2024")
    standard = catalogue.vehicle("tesla-model-3-sr-2024")

    assert (long_range.usable_kwh.value, standard.usable_kwh.value) == (75, 57.5)
    assert long_range.dc is not None
    assert standard.dc is not None
    assert (long_range.dc.max_power_kw.value, standard.dc.max_power_kw.value) == (250, 170)
    assert max(kw for _, kw in standard.dc.curve_kw.points) == 170


@pytest.mark.parametrize(
    "vehicle_id",
    [
        "nissan-leaf-75-2026",
        "nissan-leaf-52-2026",
        "toyota-bz-awd-2026",
        "toyota-bz-xle-fwd-2026",
        "chevrolet-bolt-2027",
    ],
)
def test_a_class_curve_is_flagged_and_capped_at_the_published_maximum(vehicle_id: str) -> None:
    car = default_catalogue().vehicle(vehicle_id)
    assert car.dc is not None

    curve = car.dc.curve_kw
    assert curve.confidence is Confidence.ESTIMATED
    assert curve.note.startswith("class curve")
    assert max(kw for _, kw in curve.points) == car.dc.max_power_kw.value
    assert ConnectorType.NACS in car.inlets
    assert ConnectorType.CCS1 not in car.inlets


def test_the_2026_leaf_takes_dc_through_nacs_and_ac_through_j1772() -> None:
    leaf = default_catalogue().vehicle("nissan-leaf-75-2026")
    j1772 = ac_connector(ConnectorType.J1772)
    ccs1 = dc_connector(ConnectorType.CCS1)

    at_home, _ = best_option(leaf, j1772, 10, 80, adapters=())
    refused, _ = best_option(leaf, ccs1, 10, 80)

    assert leaf.inlets == (ConnectorType.NACS, ConnectorType.J1772)
    assert at_home.works
    assert at_home.adapter_ids == ()
    assert not refused.works  # no Nissan CCS1-to-NACS adapter in the catalogue
