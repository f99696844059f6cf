"""Compatibility rules: plugs, adapters, stacking, AC/DC, warnings."""

from __future__ import annotations

from forecourt.compat.domain import (
    ChargePath,
    ConnectorOffer,
    ThermalPolicy,
    compatibility,
    default_catalogue,
)
from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType
from tests.compat.factories import ac_connector, adapter, dc_connector, vehicle

NACS, CCS1, J1772, CHADEMO = (
    ConnectorType.NACS, ConnectorType.CCS1, ConnectorType.J1772, ConnectorType.CHADEMO
)  # fmt: skip


def test_native_plug_works_without_adapter() -> None:
    [option, *_] = compatibility(vehicle(), dc_connector(CCS1), [])
    assert option.works
    assert option.adapters == ()
    assert option.path is ChargePath.DC
    assert option.peak_power_w == 200_000


def test_ccs1_inlet_takes_a_j1772_plug_for_ac_only() -> None:
    [option] = compatibility(vehicle(), ac_connector(J1772), [])
    assert option.works
    assert option.path is ChargePath.AC


def test_ccs1_car_at_a_nacs_dispenser_needs_an_adapter() -> None:
    car = vehicle(oem_adapters=("oem",))
    options = compatibility(car, dc_connector(NACS), [adapter("oem")])
    assert options[0].works
    assert options[0].adapter_ids == ("oem",)
    assert compatibility(car, dc_connector(NACS), [])[0].reason is not None


def test_ac_only_adapter_is_never_offered_for_dc() -> None:
    ac_only = adapter("ac-only", station=NACS, vehicle_plug=CCS1, dc=False, ac=True)
    [option] = compatibility(vehicle(), dc_connector(NACS), [ac_only])
    assert not option.works
    assert option.reason is not None
    assert option.reason.code == "adapter_wrong_power"
    assert "AC-only" in option.reason.message


def test_dc_only_adapter_is_not_offered_for_ac() -> None:
    dc_only = adapter("dc-only", station=NACS, vehicle_plug=CCS1)
    nacs_ac = ac_connector(NACS)
    [option] = compatibility(vehicle(), nacs_ac, [dc_only])
    assert option.reason is not None
    assert option.reason.code == "adapter_wrong_power"


def test_adapters_are_never_stacked() -> None:
    leaf = vehicle(inlets=(J1772, CHADEMO))
    nacs_to_ccs = adapter("a", station=NACS, vehicle_plug=CCS1)
    ccs_to_chademo = adapter("b", station=CCS1, vehicle_plug=CHADEMO)
    options = compatibility(leaf, dc_connector(NACS), [nacs_to_ccs, ccs_to_chademo])
    assert [option.works for option in options] == [False]
    assert options[0].reason is not None
    assert options[0].reason.code == "adapter_stacking"


def test_built_in_adapter_counts_as_the_one_adapter() -> None:
    dock = adapter("dock", built_in=True, volts=500)
    extra = adapter("ccs-to-chademo", station=CCS1, vehicle_plug=CHADEMO)
    connector = dc_connector(NACS, built_in_adapter_id="dock")
    ccs_car = compatibility(vehicle(), connector, [dock, extra])
    assert ccs_car[0].works
    assert ccs_car[0].adapter_ids == ("dock",)
    leaf = compatibility(vehicle(inlets=(J1772, CHADEMO)), connector, [dock, extra])
    assert not any(option.works for option in leaf)
    tesla = compatibility(vehicle(inlets=(NACS,)), connector, [dock, extra])
    assert [option.adapter_ids for option in tesla] == [()]


def test_non_approved_adapter_warns() -> None:
    aftermarket = adapter("aftermarket", oem=False, makes=(), thermal=ThermalPolicy.UNKNOWN)
    [option] = compatibility(vehicle(), dc_connector(NACS), [aftermarket])
    codes = {warning.code for warning in option.warnings}
    assert codes == {"adapter_not_oem_approved", "adapter_thermal_unknown"}


def test_adapter_approved_for_another_make_warns() -> None:
    other = adapter("other", makes=("Othermake",))
    [option] = compatibility(vehicle(), dc_connector(NACS), [other])
    assert "adapter_not_oem_approved" in {warning.code for warning in option.warnings}


def test_voltage_limited_adapter_warns_and_caps_voltage() -> None:
    catalogue = default_catalogue()
    cybertruck = catalogue.vehicle("tesla-cybertruck-awd-2024")
    options = compatibility(cybertruck, dc_connector(CCS1))
    first, *others = [o for o in options if o.works]  # other makers' CCS1-to-NACS adapters
    assert first.adapter_ids == ("tesla-ccs1-to-nacs",)  # the maker's own comes first
    assert "adapter_voltage_limit" in {warning.code for warning in first.warnings}
    assert others
    for other in others:
        assert first.peak_power_w < other.peak_power_w  # 500 V adapter: pack halves, 500 A
        assert "adapter_not_oem_approved" in {warning.code for warning in other.warnings}


def test_preference_order_native_then_oem_then_aftermarket() -> None:
    car = vehicle(inlets=(NACS, CCS1), oem_adapters=("oem",))
    oem = adapter("oem")
    aftermarket = adapter("aftermarket", oem=False, makes=())
    ids = [o.adapter_ids for o in compatibility(car, dc_connector(NACS), [aftermarket, oem])]
    assert ids == [(), ("oem",), ("aftermarket",)]


def test_no_dc_vehicle_and_unknown_connector_have_reasons() -> None:
    [no_dc] = compatibility(vehicle(dc=False), dc_connector(CCS1), [])
    assert no_dc.reason is not None
    assert no_dc.reason.code == "no_dc"
    unknown = ConnectorOffer(
        "u", ConnectorType.UNKNOWN, ConnectorRating(PowerType.DC, 500, 100, 50_000)
    )
    [option] = compatibility(vehicle(), unknown, [])
    assert option.reason is not None
    assert option.reason.code == "unknown_connector"


def test_leaf_charges_on_chademo_and_j1772_only() -> None:
    leaf = default_catalogue().vehicle("nissan-leaf-plus-2019")
    assert compatibility(leaf, dc_connector(CHADEMO, volts=500, amps=125, kw=62.5))[0].works
    assert compatibility(leaf, ac_connector(J1772))[0].works
    reasons = [o.reason for o in compatibility(leaf, dc_connector(NACS)) if not o.works]
    assert reasons
    assert not any(o.works for o in compatibility(leaf, dc_connector(NACS)))


def test_tesla_at_chademo_with_tesla_adapter() -> None:
    tesla = default_catalogue().vehicle("tesla-model-3-lr-2020")
    [option, *_] = compatibility(tesla, dc_connector(CHADEMO, volts=500, amps=125, kw=62.5))
    assert option.works
    assert option.adapter_ids == ("tesla-chademo-to-nacs",)
    assert option.peak_power_w <= 62_500


def test_no_power_left_now_is_said_as_such_not_as_a_voltage_problem() -> None:
    shared_out = dc_connector(CCS1, available_power_w=0.0)
    derated_out = dc_connector(CCS1, derated_power_w=0.0)
    for connector in (shared_out, derated_out):
        [option] = compatibility(vehicle(), connector, [])
        assert option.reason is not None
        assert option.reason.code == "no_power_now"
