"""The pure rules behind closing stale transactions (domain.transactions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from forecourt.domain.transactions import (
    Lifecycle,
    StopReason,
    Transaction,
    TransactionState,
    not_resumed_after_boot,
    older_on_same_evse,
)

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def tx(id: int, evse_id: int, minutes: int) -> Transaction:
    return Transaction("CP-1", evse_id, 1, T0 + timedelta(minutes=minutes), id=id)


def test_the_latest_start_on_an_evse_wins() -> None:
    old, other_evse, new = tx(1, 1, 0), tx(2, 2, 5), tx(3, 1, 10)
    assert older_on_same_evse([old, other_evse, new], new) == [old]
    late = tx(4, 1, -30)  # an offline start delivered after a newer one
    assert older_on_same_evse([old, new, late], late) == [old, late]


def test_an_evse_not_known_yet_closes_nothing() -> None:
    assert older_on_same_evse([tx(1, 0, 0)], tx(2, 0, 5)) == []


def test_only_transactions_from_before_the_boot_are_not_resumed() -> None:
    boot = T0 + timedelta(minutes=20)
    assert not_resumed_after_boot(tx(1, 1, 0), boot, boot + timedelta(seconds=5))
    assert not not_resumed_after_boot(tx(2, 1, 30), boot, boot + timedelta(minutes=31))
    # a status from before the transaction started says nothing about it
    assert not not_resumed_after_boot(tx(3, 1, 10), boot, T0 + timedelta(minutes=5))


def test_reconcile_closes_and_says_why() -> None:
    stale = tx(1, 1, 0)
    stale.reconcile(StopReason.SUPERSEDED, T0 - timedelta(minutes=1), "newer start")
    assert stale.state is TransactionState.ENDED
    assert stale.stopped_at == stale.started_at  # never before it started
    assert stale.lifecycle is Lifecycle.RECONCILED
    assert stale.reconciled_why == "newer start"
