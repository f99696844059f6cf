"""Stall fit: will the cable reach the car's inlet from where the post stands?

A stall is a rectangle seen from its **head** (the end with the kerb or the post row): ``x``
runs across it from the left edge (0) to the right (``width_m``), ``y`` from the head (0)
back into the lane.  The cable leaves the post at ``post`` (a corner or the middle of the
head, or beside the stall).  A car parks in the middle: nose at the head when it pulls in
(``pull_in``, ``pull_through``: drive-through bays are entered forwards), tail at the head
when it backs in (``back_in``).  The inlet sits near one corner of the car (or in the middle
of its nose); the cable needs the straight distance from the cable exit to the inlet plus
:data:`SLACK_M` (down to the inlet's height and round the bodywork).  Dimensions the operator
does not give are the defaults below (docs/compat.md, "Stall fit").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from forecourt.compat.domain.model import InletEnd, InletPosition, InletSide

#: A standard stall 9 ft (2.74 m) wide; an accessible one 11 ft (3.35 m) plus its aisle.
STALL_WIDTH_M = 2.74
ACCESSIBLE_STALL_WIDTH_M = 3.35
STALL_LENGTH_M = 5.5
#: A mid-size EV (Model Y 4.75 m x 1.92 m; Ioniq 5 4.64 m x 1.89 m): the defaults.
CAR_LENGTH_M = 4.75
CAR_WIDTH_M = 1.9
#: The car's bumper stops this far from the head (wheel stop or kerb).
HEAD_GAP_M = 0.3
#: A side inlet sits this far behind the nose (front wing) or ahead of the tail (rear wing).
INLET_FROM_END_M = 0.9
#: Cable needed beyond the straight line: down to the inlet and round the bodywork.
SLACK_M = 0.6


class StallLayout(StrEnum):
    BACK_IN = "back_in"
    PULL_IN = "pull_in"
    PULL_THROUGH = "pull_through"


class PostPosition(StrEnum):
    """Where the cable leaves the post, seen from the head of the stall."""

    HEAD_LEFT = "head_left"
    HEAD_CENTER = "head_center"
    HEAD_RIGHT = "head_right"
    SIDE_LEFT = "side_left"  # beside the stall, halfway along it
    SIDE_RIGHT = "side_right"


@dataclass(frozen=True, slots=True)
class Stall:
    """One parking bay served by one EVSE's cable, as the operator describes it."""

    site_id: str
    stall_id: str
    station_id: str
    evse_id: int
    layout: StallLayout
    post: PostPosition
    cable_reach_m: float
    accessible: bool = False
    width_m: float | None = None  # default: standard or accessible width
    note: str = ""

    def __post_init__(self) -> None:
        if not 0.5 <= self.cable_reach_m <= 15:
            raise ValueError("cable_reach_m must be between 0.5 and 15 m")
        if self.width_m is not None and not 2.0 <= self.width_m <= 6.0:
            raise ValueError("width_m must be between 2 and 6 m")

    @property
    def width(self) -> float:
        if self.width_m is not None:
            return self.width_m
        return ACCESSIBLE_STALL_WIDTH_M if self.accessible else STALL_WIDTH_M

    def describe(self) -> str:
        layout = self.layout.value.replace("_", "-")
        post = self.post.value.replace("_", " ")
        access = ", accessible" if self.accessible else ""
        return f"{layout}, cable from the {post}, {self.cable_reach_m:g} m{access}"


@dataclass(frozen=True, slots=True)
class StallFit:
    stall: Stall
    fits: bool | None  # None: the car's inlet position is not known
    needed_m: float | None
    reason: str


def _post_xy(stall: Stall) -> tuple[float, float]:
    width = stall.width
    return {
        PostPosition.HEAD_LEFT: (0.0, 0.0),
        PostPosition.HEAD_CENTER: (width / 2, 0.0),
        PostPosition.HEAD_RIGHT: (width, 0.0),
        PostPosition.SIDE_LEFT: (0.0, STALL_LENGTH_M / 2),
        PostPosition.SIDE_RIGHT: (width, STALL_LENGTH_M / 2),
    }[stall.post]


def _inlet_xy(stall: Stall, inlet: InletPosition) -> tuple[float, float]:
    centre = stall.width / 2
    nose_first = stall.layout is not StallLayout.BACK_IN
    # along the stall: distance of the inlet from the head
    near_end = InletEnd.FRONT if nose_first else InletEnd.REAR
    from_car_end = 0.0 if inlet.side is InletSide.CENTER else INLET_FROM_END_M
    if inlet.end is near_end:
        y = HEAD_GAP_M + from_car_end
    else:
        y = HEAD_GAP_M + CAR_LENGTH_M - from_car_end
    if inlet.side is InletSide.CENTER:
        return centre, y
    # across: nose first, the car's left is the stall's left; backed in, it is the right
    on_left = (inlet.side is InletSide.LEFT) == nose_first
    x = centre - CAR_WIDTH_M / 2 if on_left else centre + CAR_WIDTH_M / 2
    return x, y


def stall_fit(inlet: InletPosition | None, stall: Stall) -> StallFit:
    """Whether the stall's cable reaches an inlet at ``inlet``, and the cable it needs."""
    if inlet is None:
        return StallFit(stall, None, None, "The car's inlet position is not in the catalogue.")
    px, py = _post_xy(stall)
    ix, iy = _inlet_xy(stall, inlet)
    needed = round(math.hypot(ix - px, iy - py) + SLACK_M, 1)
    how = "backed in" if stall.layout is StallLayout.BACK_IN else "nose first"
    where = f"inlet {inlet.describe()}, parked {how}"
    if needed <= stall.cable_reach_m:
        reason = f"The {stall.cable_reach_m:g} m cable reaches ({where}: needs about {needed:g} m)."
        return StallFit(stall, True, needed, reason)
    reason = (
        f"The {stall.cable_reach_m:g} m cable does not reach ({where}: needs about {needed:g} m);"
        " parking across the next stall blocks it."
    )
    return StallFit(stall, False, needed, reason)
