"""Stall fit: the cable reaches the inlet, or it does not, from the post's corner."""

from __future__ import annotations

import pytest

from forecourt.compat.domain import Confidence, default_catalogue
from forecourt.compat.domain.model import InletEnd, InletPosition, InletSide
from forecourt.compat.domain.stalls import (
    ACCESSIBLE_STALL_WIDTH_M,
    STALL_WIDTH_M,
    PostPosition,
    Stall,
    StallLayout,
    stall_fit,
)

BACK_IN, PULL_IN = StallLayout.BACK_IN, StallLayout.PULL_IN
CATALOGUE = default_catalogue()


def stall(layout: StallLayout, post: PostPosition, reach: float = 2.5, **extra: object) -> Stall:
    return Stall("S", "A1", "CS-1", 1, layout, post, reach, **extra)  # type: ignore[arg-type]


def inlet_of(vehicle_id: str) -> InletPosition | None:
    return CATALOGUE.vehicle(vehicle_id).inlet_position


def test_a_tesla_backed_into_a_supercharger_style_stall_is_reached() -> None:
    fit = stall_fit(inlet_of("tesla-model-3-lr-2020"), stall(BACK_IN, PostPosition.HEAD_RIGHT))
    assert fit.fits is True
    assert fit.needed_m is not None
    assert fit.needed_m <= 2.5


def test_a_short_rear_corner_cable_does_not_reach_a_front_left_inlet() -> None:
    fit = stall_fit(
        inlet_of("ford-mustang-mach-e-er-2021"), stall(BACK_IN, PostPosition.HEAD_RIGHT)
    )
    assert fit.fits is False
    assert "does not reach" in fit.reason
    assert "inlet front left" in fit.reason


def test_the_same_car_nose_in_with_a_head_left_post_is_reached() -> None:
    fit = stall_fit(inlet_of("ford-mustang-mach-e-er-2021"), stall(PULL_IN, PostPosition.HEAD_LEFT))
    assert fit.fits is True


def test_a_longer_cable_reaches_what_a_short_one_does_not() -> None:
    inlet = inlet_of("hyundai-ioniq-5-lr-2022")  # rear right
    short = stall_fit(inlet, stall(PULL_IN, PostPosition.HEAD_CENTER, 2.5))
    long = stall_fit(inlet, stall(PULL_IN, PostPosition.HEAD_CENTER, 6.0))
    assert short.fits is False
    assert long.fits is True
    assert short.needed_m == long.needed_m


def test_a_nose_inlet_is_reached_nose_first_not_backed_in() -> None:
    leaf = inlet_of("nissan-leaf-40-2018")
    assert stall_fit(leaf, stall(PULL_IN, PostPosition.HEAD_CENTER)).fits is True
    assert stall_fit(leaf, stall(BACK_IN, PostPosition.HEAD_CENTER)).fits is False


def test_an_unknown_inlet_position_is_said_not_guessed() -> None:
    fit = stall_fit(None, stall(PULL_IN, PostPosition.HEAD_CENTER))
    assert fit.fits is None
    assert "not in the catalogue" in fit.reason


def test_accessible_stalls_are_wider() -> None:
    assert stall(PULL_IN, PostPosition.HEAD_LEFT, accessible=True).width == ACCESSIBLE_STALL_WIDTH_M
    assert stall(PULL_IN, PostPosition.HEAD_LEFT).width == STALL_WIDTH_M
    side = InletPosition(InletSide.RIGHT, InletEnd.FRONT, "test", Confidence.ESTIMATED)
    narrow = stall_fit(side, stall(PULL_IN, PostPosition.HEAD_LEFT))
    wide = stall_fit(side, stall(PULL_IN, PostPosition.HEAD_LEFT, accessible=True))
    assert narrow.needed_m is not None
    assert wide.needed_m is not None
    assert wide.needed_m > narrow.needed_m


def test_impossible_stalls_are_refused() -> None:
    with pytest.raises(ValueError, match="cable_reach_m"):
        stall(PULL_IN, PostPosition.HEAD_LEFT, 40)
    with pytest.raises(ValueError, match="width_m"):
        stall(PULL_IN, PostPosition.HEAD_LEFT, width_m=1)


# entries whose inlet position no source gave: said "not in the catalogue", never guessed
POSITION_NOT_RETRIEVED = {
    "toyota-bz-awd-2026",
    "toyota-bz-xle-fwd-2026",
    "toyota-bz4x-fwd-2023",
    "toyota-bz4x-awd-2023",
    "subaru-solterra-2023",
    "volvo-ex30-2025",
    "jeep-wagoneer-s-2024",
    "jaguar-i-pace-2019",
    "lexus-rz-450e-2023",
    "fiat-500e-2024",
    "volvo-ex90-2025",
    "audi-q8-etron-2024",
}


def test_every_catalogue_vehicle_states_its_inlet_position_with_a_source() -> None:
    for vehicle in CATALOGUE.vehicles.values():
        if vehicle.id in POSITION_NOT_RETRIEVED:
            assert vehicle.inlet_position is None, vehicle.id
            assert "inlet position not retrieved" in vehicle.notes, vehicle.id
            continue
        assert vehicle.inlet_position is not None, vehicle.id
        assert vehicle.inlet_position.source, vehicle.id
