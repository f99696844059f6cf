"""The pure rules of local lists and reservations."""

from __future__ import annotations

from datetime import UTC, datetime

from forecourt.domain.local_auth import (
    LocalListEntry,
    ReservationState,
    admits,
    chunks,
    list_changes,
)
from forecourt.domain.tokens import AuthorizationStatus, TokenRecord, evaluate_token

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
A = LocalListEntry("A")
B = LocalListEntry("B")


def test_differential_carries_changes_then_removals() -> None:
    group_changed = LocalListEntry("A", group="FLEET")
    changes = list_changes({"A": A, "B": B}, {"A": group_changed, "C": LocalListEntry("C")})
    assert changes == (group_changed, LocalListEntry("C"), LocalListEntry("B", status=None))
    assert list_changes({"A": A}, {"A": A}) == ()


def test_chunks_respect_the_limit_and_always_give_one() -> None:
    entries = tuple(LocalListEntry(str(i)) for i in range(5))
    assert [len(c) for c in chunks(entries, 2)] == [2, 2, 1]
    assert chunks((), 2) == [()]
    assert chunks(entries, None) == [entries]


def test_a_reserved_evse_admits_its_token_and_group_only() -> None:
    assert admits("A", "FLEET", "A", None)
    assert admits("A", "FLEET", "B", "FLEET")
    assert not admits("A", None, "B", None)
    assert not admits("A", "FLEET", "B", "OTHER")


def test_the_one_rule_says_reserved_after_blocked_and_expired() -> None:
    token = TokenRecord("B")
    reserved = evaluate_token(token, NOW, active_elsewhere=False, reserved_for_other=True)
    assert reserved.status is AuthorizationStatus.RESERVED
    token.blocked = True
    blocked = evaluate_token(token, NOW, active_elsewhere=False, reserved_for_other=True)
    assert blocked.status is AuthorizationStatus.BLOCKED
    assert evaluate_token(None, NOW, active_elsewhere=False, reserved_for_other=True).status is (
        AuthorizationStatus.UNKNOWN
    )


def test_only_requested_and_active_reservations_hold() -> None:
    assert {s for s in ReservationState if s.holding} == {
        ReservationState.REQUESTED,
        ReservationState.ACTIVE,
    }
