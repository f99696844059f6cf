"""Ranking connectors: fastest first, unusable last with reasons, derates applied."""

from __future__ import annotations

from forecourt.compat import domain as compat
from forecourt.compat.domain import (
    clear_cache,
    default_catalogue,
    drivers_adapters,
    recommend,
)
from forecourt.domain.connectors import ConnectorType
from forecourt.domain.stations import ConnectorStatus
from tests.compat.factories import adapter, dc_connector, vehicle

NACS, CCS1 = ConnectorType.NACS, ConnectorType.CCS1


def test_ranked_by_time_to_target() -> None:
    site = [dc_connector(kw=50, connector_id="slow"), dc_connector(kw=150, connector_id="fast")]
    ranked = recommend(vehicle(), site, 10, 80, adapters=())
    assert [r.connector.connector_id for r in ranked] == ["fast", "slow"]
    assert [r.rank for r in ranked] == [1, 2]
    assert ranked[0].duration_s is not None
    assert ranked[1].duration_s is not None
    assert ranked[0].duration_s < ranked[1].duration_s


def test_unavailable_and_faulted_last_with_reason() -> None:
    site = [
        dc_connector(
            kw=350, connector_id="broken", status=ConnectorStatus.FAULTED, status_reason="latch"
        ),
        dc_connector(kw=350, connector_id="busy", status=ConnectorStatus.OCCUPIED),
        dc_connector(kw=50, connector_id="free"),
    ]
    ranked = recommend(vehicle(), site, 10, 80, adapters=())
    assert [r.connector.connector_id for r in ranked] == ["free", "busy", "broken"]
    assert ranked[2].notes[0].message == "Connector is faulted: latch."
    assert ranked[0].usable_now
    assert not ranked[2].usable_now


def test_connectors_that_cannot_work_come_last_with_the_reason() -> None:
    site = [dc_connector(NACS, connector_id="nacs"), dc_connector(kw=50, connector_id="ccs")]
    ranked = recommend(vehicle(), site, 10, 80, adapters=())
    assert ranked[-1].connector.connector_id == "nacs"
    assert ranked[-1].estimate is None
    assert ranked[-1].option.reason is not None


def test_derated_connector_uses_derated_power_and_says_why() -> None:
    site = [
        dc_connector(
            kw=350, connector_id="derated", derated_power_w=40_000, derate_reason="cooling"
        ),
        dc_connector(kw=100, connector_id="healthy"),
    ]
    ranked = recommend(vehicle(), site, 10, 80, adapters=())
    assert [r.connector.connector_id for r in ranked] == ["healthy", "derated"]
    derated = ranked[1]
    assert derated.estimate is not None
    assert derated.estimate.peak_power_w == 40_000
    assert derated.notes[0].message == "Derated to 40 kW (cooling)."


def test_connectors_of_one_class_share_one_estimate() -> None:
    site = [dc_connector(connector_id=f"c{i}") for i in range(50)]
    ranked = recommend(vehicle(), site, 10, 80, adapters=())
    assert len({id(r.estimate) for r in ranked}) == 1
    assert [r.connector.connector_id for r in ranked][:3] == ["c0", "c1", "c2"]  # input order


def test_approved_adapter_beats_a_faster_unapproved_one() -> None:
    car = vehicle(oem_adapters=("oem",))
    slow_oem, fast_aftermarket = (
        adapter("oem", amps=200),
        adapter("aftermarket", oem=False, makes=()),
    )
    [best] = recommend(car, [dc_connector(NACS)], 10, 80, adapters=(slow_oem, fast_aftermarket))
    assert best.option.adapter_ids == ("oem",)


def test_default_adapters_are_oem_and_built_in() -> None:
    catalogue = default_catalogue()
    mach_e = catalogue.vehicle("ford-mustang-mach-e-er-2021")
    assert {a.id for a in drivers_adapters(mach_e)} == {
        "ford-nacs-to-ccs1",
        "tesla-magic-dock",
        "ccs1-dispenser-nacs-adapter",
    }
    [best] = recommend(mach_e, [dc_connector(NACS, volts=500, amps=700, kw=250)], 10, 80)
    assert best.option.adapter_ids == ("ford-nacs-to-ccs1",)


def test_800_v_car_prefers_a_ccs_dispenser_over_a_faster_looking_500_v_one() -> None:
    ioniq9 = default_catalogue().vehicle("hyundai-ioniq-9-2025")
    site = [
        dc_connector(NACS, volts=500, amps=700, kw=250, connector_id="supercharger"),
        dc_connector(CCS1, volts=1000, amps=500, kw=350, connector_id="ccs-350"),
    ]
    ranked = recommend(ioniq9, site, 10, 80)
    assert [r.connector.connector_id for r in ranked] == ["ccs-350", "supercharger"]
    assert ranked[1].estimate is not None
    assert "boost" in ranked[1].estimate.explain()


def test_answers_are_remembered_across_calls_until_cleared() -> None:
    car, site = vehicle(), [dc_connector()]
    clear_cache()
    first = recommend(car, site, 10, 80, adapters=())[0].estimate
    assert recommend(car, site, 10, 80, adapters=())[0].estimate is first
    assert recommend(car, site, 20, 80, adapters=())[0].estimate is not first
    assert recommend(vehicle(), site, 10, 80, adapters=())[0].estimate is not first
    clear_cache()
    assert recommend(car, site, 10, 80, adapters=())[0].estimate is not first


def test_within_the_same_minute_no_adapter_beats_an_adapter() -> None:
    car = vehicle(inlets=(NACS,), oem_adapters=("oem",))
    site = [
        dc_connector(CCS1, connector_id="needs-adapter"),
        dc_connector(NACS, connector_id="native"),
    ]
    ranked = recommend(
        car, site, 10, 80, adapters=(adapter("oem", station=CCS1, vehicle_plug=NACS),)
    )
    assert [r.connector.connector_id for r in ranked] == ["native", "needs-adapter"]
    assert ranked[0].estimate is not None
    assert ranked[1].estimate is not None
    assert round(ranked[0].estimate.duration_s) == round(ranked[1].estimate.duration_s)


def test_the_status_is_the_networks_own() -> None:
    assert compat.ConnectorStatus is ConnectorStatus  # one enum, in the domain
    assert dc_connector().status is ConnectorStatus.AVAILABLE
