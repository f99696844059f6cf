"""The compatibility service on real SQLite: live status, shared power, derates, the Ioniq 5."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from forecourt.compat.domain import Constraint
from forecourt.compat.keys import COMPAT
from forecourt.compat.services.compatibility import ChargeWindow, Compatibility
from forecourt.compat.services.vehicle_search import AmbiguousVehicle, VehicleNotFound
from forecourt.domain.connectors import ConnectorType
from forecourt.domain.errors import InvalidInput
from forecourt.domain.stations import ConnectorStatus, RegistrationStatus
from forecourt.ports.derates import ConnectorRef, Derate
from forecourt.reliability.domain.model import PortRef
from forecourt.reliability.domain.watch import PortView
from forecourt.reliability.keys import RELIABILITY
from forecourt.reliability.services.derates import REASON, ReliabilityDerates
from forecourt.services.core import Services
from forecourt.services.network import ConnectorSpec
from tests.compat.integration.site import (
    IONIQ_2025,
    NACS_250,
    SITE,
    report,
    start_session,
)

TEN_TO_EIGHTY = ChargeWindow(10, 80)


# -- the driver's question ------------------------------------------------------------------
async def test_the_2025_ioniq_5_at_the_site_gets_an_explained_answer(services: Services) -> None:
    advice = await services.feature(COMPAT).recommend_at_site(SITE, "2025 Ioniq 5", TEN_TO_EIGHTY)

    best = advice.ranked[0]
    assert advice.vehicle.id == IONIQ_2025
    assert str(best.ref) == "CS-1/1/1"  # CCS1 via Hyundai's own adapter: the one that works now
    assert best.recommendation.usable_now
    assert best.recommendation.option.adapter is not None
    assert best.recommendation.option.adapter.id in advice.vehicle.oem_adapter_ids
    estimate = best.recommendation.estimate
    assert estimate is not None
    assert 15 * 60 < estimate.duration_s < 30 * 60
    assert estimate.explain()  # e.g. "10–80 %: vehicle charging curve"
    summary = advice.summary()
    assert summary.startswith("CS-1 EVSE 1 (CCS1): About ")
    assert "min from 10 % to 80 %" in summary
    assert "Limited by:" in summary


async def test_faulted_and_offline_connectors_rank_last_with_their_reasons(
    services: Services,
) -> None:
    advice = await services.feature(COMPAT).recommend_at_site(SITE, IONIQ_2025, TEN_TO_EIGHTY)

    order = [(str(r.ref), r.recommendation.connector.status) for r in advice.ranked]
    assert order[0] == ("CS-1/1/1", ConnectorStatus.AVAILABLE)
    assert {ref for ref, _ in order[1:]} == {"CS-2/1/1", "CS-3/1/1"}
    by_ref = {str(r.ref): r for r in advice.ranked}
    faulted = by_ref["CS-2/1/1"]
    assert faulted.recommendation.connector.status is ConnectorStatus.FAULTED
    assert not faulted.recommendation.usable_now
    assert any("ConnectorLockFailure" in n.message for n in faulted.notes)
    offline = by_ref["CS-3/1/1"].recommendation.connector
    assert offline.status is ConnectorStatus.UNAVAILABLE
    assert offline.status_reason == "the station is offline (last reported available)"


async def test_a_connector_is_estimated_as_it_is_now(services: Services) -> None:
    answer = await services.feature(COMPAT).estimate_at(
        services.feature(COMPAT).vehicle(IONIQ_2025), ConnectorRef("CS-2", 1, 1), TEN_TO_EIGHTY
    )

    assert answer.works  # the plug would work ...
    assert answer.connector.status is ConnectorStatus.FAULTED  # ... but not now, and it says so
    assert [n.code for n in answer.notes] == ["status_faulted"]


async def test_an_unknown_connector_reference_is_not_found(services: Services) -> None:
    vehicle = services.feature(COMPAT).vehicle(IONIQ_2025)
    with pytest.raises(Exception, match="connector 'CS-1/1/9' not found"):
        await services.feature(COMPAT).estimate_at(
            vehicle, ConnectorRef("CS-1", 1, 9), TEN_TO_EIGHTY
        )


# -- shared cabinet power ---------------------------------------------------------------------
async def test_evse_power_caps_what_a_connector_can_give_now(services: Services) -> None:
    await services.network.set_evse_power("CS-1", 1, 100_000)

    answer = await services.feature(COMPAT).answer(
        IONIQ_2025, ConnectorRef("CS-1", 1, 1), TEN_TO_EIGHTY
    )

    assert answer.connector.rating.max_power_w == 350_000  # the nameplate stays
    assert answer.connector.available_power_w == 100_000  # what it can give right now
    assert answer.estimate is not None
    assert answer.estimate.peak_power_w == pytest.approx(100_000)
    assert Constraint.SHARED_CABINET in {band.constraint for band in answer.estimate.bands}
    assert "Cabinet power shared: 100 kW available now." in [n.message for n in answer.notes]


async def test_a_session_on_the_other_cable_leaves_only_what_is_left(services: Services) -> None:
    network = services.network
    await network.set_connector("CS-1", ConnectorSpec(1, 2, ConnectorType.NACS, NACS_250))
    await network.set_evse_power("CS-1", 1, 200_000)
    await report(services, "CS-1", 1, 2, ConnectorStatus.AVAILABLE, services.core.clock.now())
    alone = await services.feature(COMPAT).answer(
        IONIQ_2025, ConnectorRef("CS-1", 1, 2), TEN_TO_EIGHTY
    )
    await start_session(services, "CS-1", 1, 1, services.core.clock.now(), power_w=150_000)

    shared = await services.feature(COMPAT).answer(
        IONIQ_2025, ConnectorRef("CS-1", 1, 2), TEN_TO_EIGHTY
    )

    assert alone.connector.available_power_w == 200_000
    assert shared.connector.available_power_w == pytest.approx(50_000)
    assert shared.connector.status is ConnectorStatus.AVAILABLE
    assert alone.estimate is not None
    assert shared.estimate is not None
    assert shared.estimate.duration_s > 2 * alone.estimate.duration_s
    assert shared.estimate.explain() == "10–80 %: power shared with other cables 50 kW"


async def test_when_the_other_cable_takes_everything_the_connector_counts_as_occupied(
    services: Services,
) -> None:
    await services.network.set_connector("CS-1", ConnectorSpec(1, 2, ConnectorType.NACS, NACS_250))
    await services.network.set_evse_power("CS-1", 1, 200_000)
    await start_session(services, "CS-1", 1, 1, services.core.clock.now(), power_w=200_000)

    answer = await services.feature(COMPAT).answer(
        IONIQ_2025, ConnectorRef("CS-1", 1, 2), TEN_TO_EIGHTY
    )

    assert answer.connector.status is ConnectorStatus.OCCUPIED
    assert answer.connector.status_reason == "connector 1 of this EVSE is in use"
    assert answer.works  # estimated for when it is free: the EVSE's 200 kW
    assert answer.connector.available_power_w == 200_000


async def test_without_an_evse_limit_a_busy_sibling_makes_the_connector_occupied(
    services: Services,
) -> None:
    await services.network.set_connector("CS-1", ConnectorSpec(1, 2, ConnectorType.NACS, NACS_250))
    await start_session(services, "CS-1", 1, 1, services.core.clock.now(), power_w=50_000)

    advice = await services.feature(COMPAT).recommend_at_site(SITE, IONIQ_2025, TEN_TO_EIGHTY)

    nacs = next(r for r in advice.ranked if str(r.ref) == "CS-1/1/2")
    assert nacs.recommendation.connector.status is ConnectorStatus.OCCUPIED


async def test_a_cable_the_station_parks_while_its_sibling_charges_is_in_use(
    services: Services,
) -> None:
    now = services.core.clock.now()
    await services.network.set_connector("CS-1", ConnectorSpec(1, 2, ConnectorType.NACS, NACS_250))
    await report(services, "CS-1", 1, 1, ConnectorStatus.OCCUPIED, now)
    await report(services, "CS-1", 1, 2, ConnectorStatus.UNAVAILABLE, now)

    answer = await services.feature(COMPAT).answer(
        IONIQ_2025, ConnectorRef("CS-1", 1, 2), TEN_TO_EIGHTY
    )

    assert answer.connector.status is ConnectorStatus.OCCUPIED
    assert answer.connector.status_reason == "connector 1 of this EVSE is in use"


async def test_a_station_not_accepted_is_not_in_service(services: Services) -> None:
    await services.network.update_station("CS-1", registration=RegistrationStatus.PENDING)

    answer = await services.feature(COMPAT).answer(
        IONIQ_2025, ConnectorRef("CS-1", 1, 1), TEN_TO_EIGHTY
    )

    assert answer.connector.status is ConnectorStatus.UNAVAILABLE
    assert answer.connector.status_reason == "the station is not in service (pending)"


# -- derates ----------------------------------------------------------------------------------
class FixedDerates:
    def __init__(self, known: Mapping[ConnectorRef, Derate]) -> None:
        self.known = known

    async def derates(self, station_ids: Sequence[str]) -> Mapping[ConnectorRef, Derate]:
        return {ref: d for ref, d in self.known.items() if ref.station_id in station_ids}


async def test_a_derated_connector_is_estimated_slower_with_the_reason(services: Services) -> None:
    derates = FixedDerates({ConnectorRef("CS-1", 1, 1): Derate(60_000, "cooling fault")})
    compatibility = Compatibility(services.ctx, derates=derates)

    advice = await compatibility.recommend_at_site(SITE, IONIQ_2025, TEN_TO_EIGHTY)

    derated = next(r for r in advice.ranked if str(r.ref) == "CS-1/1/1")
    assert "Derated to 60 kW (cooling fault)." in [n.message for n in derated.notes]
    assert derated.recommendation.estimate is not None
    assert derated.recommendation.estimate.peak_power_w == pytest.approx(60_000)


# -- vehicles -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [IONIQ_2025, "2025 Ioniq 5", "hyundai-ioniq-5-2025", "Hyundai IONIQ 5 2026", "  ioniq 5 2025 "],
)
def test_vehicles_are_found_by_id_or_by_words(services: Services, query: str) -> None:
    assert services.feature(COMPAT).vehicle(query).id == IONIQ_2025


def test_an_ambiguous_name_lists_the_candidates(services: Services) -> None:
    with pytest.raises(AmbiguousVehicle) as raised:
        services.feature(COMPAT).vehicle("Ioniq 5")

    assert raised.value.candidates == ["hyundai-ioniq-5-lr-2022", IONIQ_2025]
    assert "give the id, or add the model year or trim" in str(raised.value)


def test_an_unknown_vehicle_lists_close_matches(services: Services) -> None:
    with pytest.raises(VehicleNotFound) as raised:
        services.feature(COMPAT).vehicle("Hyundai Ionic 5 2025")

    assert IONIQ_2025 in raised.value.suggestions
    assert str(raised.value).startswith(
        "no vehicle matches 'Hyundai Ionic 5 2025'; close matches: "
    )


def test_vehicles_filter_by_make_and_inlet(services: Services) -> None:
    nacs_hyundais = services.feature(COMPAT).vehicles("hyundai", ConnectorType.NACS)

    assert [v.id for v in nacs_hyundais] == [
        IONIQ_2025,
        "hyundai-ioniq-6-lr-2026",
        "hyundai-ioniq-9-2025",
    ]  # by name


@pytest.mark.parametrize(
    ("soc_from", "soc_to", "message"),
    [
        (80, 10, "soc_from (80 %) must be below soc_to (10 %)"),
        (50, 50, "soc_from (50 %) must be below soc_to (50 %)"),
        (-5, 80, "soc_from must be between 0 and 100 %, not -5"),
        (10, 120, "soc_to must be between 0 and 100 %, not 120"),
    ],
)
def test_impossible_windows_are_refused(soc_from: float, soc_to: float, message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        ChargeWindow(soc_from, soc_to)


class FakePorts:
    def __init__(self, views: dict[int, PortView]) -> None:
        self.ports = views

    def view(self, evse_id: int) -> PortView | None:
        return self.ports.get(evse_id)


class FakeMonitor:
    def __init__(self, stations: dict[str, FakePorts]) -> None:
        self.stations = stations

    def watch(self, station_id: str) -> FakePorts | None:
        return self.stations.get(station_id)


async def test_ports_the_reliability_monitor_sees_limited_are_derated(
    services: Services,
) -> None:
    limited = PortView(PortRef("CS-1", 1), frozenset(), False, 80_000, 350_000, True)
    healthy = PortView(PortRef("CS-2", 1), frozenset(), False, 350_000, 350_000, False)
    monitor = FakeMonitor({"CS-1": FakePorts({1: limited}), "CS-2": FakePorts({1: healthy})})
    compatibility = Compatibility(services.ctx, derates=ReliabilityDerates(monitor))

    advice = await compatibility.recommend_at_site(SITE, IONIQ_2025, TEN_TO_EIGHTY)

    by_ref = {str(r.ref): r.recommendation.connector for r in advice.ranked}
    assert by_ref["CS-1/1/1"].derated_power_w == 80_000
    assert by_ref["CS-1/1/1"].derate_reason == REASON
    assert by_ref["CS-2/1/1"].derated_power_w is None
    # the real monitor fits the port the adapter expects (checked by mypy)
    assert ReliabilityDerates(services.feature(RELIABILITY).monitor) is not None
