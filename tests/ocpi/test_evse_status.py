"""The EVSE status rule: the honest driver words per connector, and the fault board on top."""

from __future__ import annotations

import pytest

from forecourt.ocpi.domain.locations import EvseStatus, evse_status


@pytest.mark.parametrize(
    ("words", "broken", "expected"),
    [
        (["available", "available"], False, EvseStatus.AVAILABLE),
        (["available", "available"], True, EvseStatus.OUTOFORDER),  # known broken
        (["in_use", "available"], True, EvseStatus.CHARGING),  # a car charges: it works now
        (["offline", "offline"], False, EvseStatus.UNKNOWN),  # never a stale AVAILABLE
        (["offline"], True, EvseStatus.OUTOFORDER),
        (["out_of_service"], False, EvseStatus.INOPERATIVE),
        (["out_of_order", "available"], False, EvseStatus.AVAILABLE),  # the other cable works
        (["reserved"], False, EvseStatus.RESERVED),
        ([], False, EvseStatus.UNKNOWN),
    ],
)
def test_evse_status(words: list[str], broken: bool, expected: EvseStatus) -> None:
    assert evse_status(words, broken) is expected
