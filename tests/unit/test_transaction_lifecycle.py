"""The transaction state machine (domain.transactions.Transaction): every transition, allowed
and refused. See docs/architecture.md, "The transaction state machine"."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from forecourt.domain.tokens import AuthorizationResult, AuthorizationStatus, TokenKind
from forecourt.domain.transactions import (
    ChargingState,
    Lifecycle,
    PaymentMethod,
    StopEffect,
    StopReason,
    Transaction,
    TransactionState,
    TransitionRefused,
    older_on_same_evse,
    start_key,
)

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def later(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def active(**fields: object) -> Transaction:
    tx = Transaction.begin(
        "CP-1", 1, 1, T0, station_tx_id="TX-1", token="CARD-1",
        auth=AuthorizationResult(AuthorizationStatus.ACCEPTED), token_kind=TokenKind.RFID,
        now=T0,
    )  # fmt: skip
    tx.id = 7
    for name, value in fields.items():
        setattr(tx, name, value)
    return tx


def end(tx: Transaction, minutes: float = 30, reason: StopReason = StopReason.LOCAL) -> StopEffect:
    return tx.end(
        later(minutes), reason, meter_stop_wh=5000.0, stop_token="CARD-1", seq_no=9,
        offline=False, now=later(minutes),
    )  # fmt: skip


def reconciled() -> Transaction:
    tx = active()
    tx.reconcile(StopReason.SUPERSEDED, later(10), "transaction 8 started on EVSE 1")
    return tx


def ended() -> Transaction:
    tx = active()
    end(tx)
    return tx


# -- begin ------------------------------------------------------------------------------------
def test_begin_is_active_with_the_token_its_status_and_payment_method() -> None:
    tx = Transaction.begin(
        "CP-1", 1, 2, T0, station_tx_id=None, token="CARD-1",
        auth=AuthorizationResult(AuthorizationStatus.BLOCKED), token_kind=TokenKind.EMAID,
        meter_start_wh=100.0, remote_start_id=4, now=later(1),
    )  # fmt: skip
    assert tx.lifecycle is Lifecycle.ACTIVE
    assert tx.state is TransactionState.ACTIVE
    assert (tx.id_token, tx.auth_status) == ("CARD-1", AuthorizationStatus.BLOCKED)
    assert tx.payment_method is PaymentMethod.PLUG_AND_CHARGE
    assert (tx.meter_start_wh, tx.remote_start_id, tx.updated_at) == (100.0, 4, later(1))
    # no station id (1.6): the start key identifies a replay; storage numbers the wire id
    assert (tx.station_tx_id, tx.start_key) == ("", start_key("CP-1", 1, 2, T0, "CARD-1"))
    assert not tx.start_missing


def test_begin_with_a_station_id_needs_no_start_key_and_without_a_token_is_accepted() -> None:
    tx = Transaction.begin(
        "CP-1", 0, 1, T0, station_tx_id="TX-9", token=None, auth=None, token_kind=None,
        start_missing=True, now=T0,
    )  # fmt: skip
    assert (tx.station_tx_id, tx.start_key, tx.id_token) == ("TX-9", "", None)
    assert tx.auth_status is AuthorizationStatus.ACCEPTED
    assert tx.payment_method is None
    assert tx.start_missing


# -- progress: allowed in every state -----------------------------------------------------------
@pytest.mark.parametrize("make", [active, reconciled, ended], ids=["active", "reconciled", "ended"])
def test_progress_keeps_the_highest_seq_no_offline_and_the_last_charging_state(
    make: Callable[[], Transaction],
) -> None:
    tx = make()
    before = tx.lifecycle
    tx.note_progress(12, True, ChargingState.SUSPENDED_EV, later(40))
    tx.note_progress(3, False, None, later(41))
    assert (tx.last_seq_no, tx.seen_offline) == (12, True)
    assert tx.charging_state is ChargingState.SUSPENDED_EV
    assert tx.updated_at == later(41)
    assert tx.lifecycle is before  # progress never changes the lifecycle


def test_place_fills_an_unknown_evse_once_and_never_moves_a_known_one() -> None:
    tx = active(evse_id=0, connector_id=1)
    assert tx.place(None, None) is False
    assert tx.place(2, 3) is True
    assert (tx.evse_id, tx.connector_id) == (2, 3)
    assert tx.place(4, 1) is False
    assert (tx.evse_id, tx.connector_id) == (2, 3)
    placed_without_connector = active(evse_id=0, connector_id=1)
    assert placed_without_connector.place(5, None) is True
    assert placed_without_connector.connector_id == 1


def test_a_replayed_start_fills_gaps_only() -> None:
    tx = active(started_at=later(5), id_token=None, meter_start_wh=None, start_missing=True)
    tx.merge_replayed_start(T0, "CARD-2", 1200.0)
    assert (tx.started_at, tx.id_token, tx.meter_start_wh) == (T0, "CARD-2", 1200.0)
    assert not tx.start_missing
    tx.merge_replayed_start(later(1), "CARD-3", 9.0)  # later, and nothing missing any more
    assert (tx.started_at, tx.id_token, tx.meter_start_wh) == (T0, "CARD-2", 1200.0)


# -- tokens ---------------------------------------------------------------------------------
def test_the_starting_token_repeated_gets_its_first_answer_and_others_get_none() -> None:
    tx = active(auth_status=AuthorizationStatus.EXPIRED)
    assert tx.repeated_token("CARD-1") == AuthorizationResult(AuthorizationStatus.EXPIRED)
    assert tx.repeated_token("CARD-2") is None
    assert active(id_token=None).repeated_token("CARD-1") is None


def test_a_late_token_identifies_once_and_the_first_sticks() -> None:
    tx = active(id_token=None, payment_method=None)
    assert tx.identify("CARD-2", AuthorizationStatus.ACCEPTED, TokenKind.PAYMENT) is True
    assert (tx.id_token, tx.payment_method) == ("CARD-2", PaymentMethod.CARD_AT_DISPENSER)
    assert tx.identify("CARD-3", AuthorizationStatus.BLOCKED, TokenKind.RFID) is False
    assert (tx.id_token, tx.auth_status) == ("CARD-2", AuthorizationStatus.ACCEPTED)


# -- ending ---------------------------------------------------------------------------------
def test_active_to_ended_by_the_station() -> None:
    tx = active()
    assert tx.stop_effect() is StopEffect.ENDED
    assert end(tx, reason=StopReason.EV_DISCONNECTED) is StopEffect.ENDED
    assert tx.lifecycle is Lifecycle.ENDED
    assert tx.state is TransactionState.ENDED
    assert (tx.stopped_at, tx.meter_stop_wh, tx.stop_id_token) == (later(30), 5000.0, "CARD-1")
    assert (tx.stop_reason, tx.last_seq_no) == (StopReason.EV_DISCONNECTED, 9)


def test_active_to_reconciled_by_forecourt_never_before_the_start() -> None:
    tx = active()
    tx.reconcile(StopReason.NOT_RESUMED, T0 - timedelta(minutes=5), "rebooted")
    assert tx.lifecycle is Lifecycle.RECONCILED
    assert tx.state is TransactionState.ENDED  # what is stored and shown
    assert (tx.stopped_at, tx.stop_reason, tx.reconciled_why) == (
        T0, StopReason.NOT_RESUMED, "rebooted"
    )  # fmt: skip
    assert tx.meter_stop_wh is None  # the ledger keeps the last reading's energy


def test_reconciled_to_ended_when_the_station_stop_comes_corrects_it() -> None:
    tx = reconciled()
    assert tx.stop_effect() is StopEffect.CORRECTED
    assert end(tx, reason=StopReason.REMOTE) is StopEffect.CORRECTED
    assert tx.lifecycle is Lifecycle.ENDED
    assert (tx.stop_reason, tx.reconciled_why) == (StopReason.REMOTE, None)


def test_a_second_stop_is_refused_and_changes_nothing() -> None:
    tx = ended()
    assert tx.stop_effect() is StopEffect.DUPLICATE
    before = copy.deepcopy(tx)
    with pytest.raises(TransitionRefused) as refused:
        end(tx, minutes=50, reason=StopReason.REMOTE)
    assert refused.value.lifecycle is Lifecycle.ENDED
    assert tx == before


@pytest.mark.parametrize("make", [reconciled, ended], ids=["reconciled", "ended"])
def test_reconcile_is_refused_once_ended(make: Callable[[], Transaction]) -> None:
    tx = make()
    before = copy.deepcopy(tx)
    with pytest.raises(TransitionRefused, match="cannot reconcile"):
        tx.reconcile(StopReason.SUPERSEDED, later(60), "newer start")
    assert tx == before


def test_an_ended_transaction_placed_late_is_never_reconciled() -> None:
    newer = active(id=8, started_at=later(10))
    late = ended()
    late.evse_id = 1
    assert older_on_same_evse([newer], late) == []


def test_charging_state_parses_the_neutral_words_and_nothing_as_none() -> None:
    assert ChargingState.parse("") is None
    assert [ChargingState.parse(s.value) for s in ChargingState] == list(ChargingState)
    with pytest.raises(ValueError, match="Charging"):
        ChargingState.parse("Charging")  # the wire word is the adapter's to map
