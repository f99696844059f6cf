"""What a driver is told about a port: from the watch's view when there is one, else from the
live connector statuses alone (a port the reliability watch has not seen yet)."""

from __future__ import annotations

import pytest

from forecourt.reliability.domain.model import Condition, PortRef
from forecourt.reliability.domain.status import DriverStatus, honest_status
from forecourt.reliability.domain.watch import PortView


def view(*conditions: Condition, capability_w: float | None = 150_000.0) -> PortView:
    return PortView(
        PortRef("CS-1", 1),
        frozenset(conditions),
        busy=False,
        capability_w=capability_w,
        reference_w=capability_w,
        limited=False,
    )


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ((Condition.FAILING_SESSIONS,), "Out of order: recent sessions failed to start charging"),
        ((Condition.SILENT,), "Out of order: not taking sessions"),
        ((Condition.UNAVAILABLE,), "Out of service (maintenance)"),
        ((Condition.UNAVAILABLE, Condition.FAULTED), "Out of order"),
        ((Condition.FAULTED, Condition.BELOW_MIN_POWER), "Out of order"),
    ],
)
def test_a_broken_port_says_why_in_plain_words(
    conditions: tuple[Condition, ...], message: str
) -> None:
    told = honest_status(view(*conditions), ["available"])

    assert told.status is DriverStatus.OUT_OF_ORDER
    assert told.message == message
    assert told.max_power_w is None


def test_offline_wins_over_every_other_condition() -> None:
    told = honest_status(view(Condition.UNREACHABLE, Condition.FAULTED), ["faulted"])

    assert told.status is DriverStatus.OFFLINE


def test_an_up_port_shows_its_power_and_whether_it_is_in_use() -> None:
    assert honest_status(view(), ["available"]).message == "Available, up to 150 kW"
    assert honest_status(view(capability_w=None), ["available"]).message == "Available"
    assert honest_status(view(), ["available", "occupied"]).status is DriverStatus.CHARGING


@pytest.mark.parametrize(
    ("statuses", "status", "message"),
    [
        ([], DriverStatus.UNKNOWN, "Status unknown"),
        (["unknown"], DriverStatus.UNKNOWN, "Status unknown"),
        (["faulted", "unavailable"], DriverStatus.OUT_OF_ORDER, "Out of order"),
        (["faulted", "available"], DriverStatus.AVAILABLE, "Available"),
        (["occupied"], DriverStatus.CHARGING, "In use"),
    ],
)
def test_without_a_view_the_live_statuses_decide(
    statuses: list[str], status: DriverStatus, message: str
) -> None:
    told = honest_status(None, statuses)

    assert (told.status, told.message, told.max_power_w) == (status, message, None)
