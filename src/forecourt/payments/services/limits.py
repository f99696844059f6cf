"""The one session-limit rule: how far a session may go, on every version.

Used twice, never restated: OCPP 2.1 stations get the limit as ``transactionLimit`` and stop
themselves; for every station (1.6 and 2.0.1 can be told nothing) the CSMS stops the session
remotely when :func:`reached` says so. A limit is the prepaid hold's (cost) combined with
what the operator asked for when starting the session (cost, energy, time, state of charge).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from forecourt.domain.money import Money
from forecourt.domain.transactions import StopReason, Transaction
from forecourt.payments.domain.payments import Payment, PaymentFlow
from forecourt.ports.station_payments import PrepaidLimit

#: A session is stopped when its running cost reaches this share of the approved hold
#: (the rest covers what is delivered between the last reading and the stop).
HOLD_STOP_SHARE = 0.95


#: C23: a session whose provider hold can grow asks for more when its running cost reaches
#: this share of the approved amount (well before the stop share).
HOLD_INCREASE_SHARE = 0.8
#: Holds that can grow: those Forecourt asked its provider for (a prepayment's amount is the
#: customer's choice; a terminal's pre-authorisation, at the dispenser or the station, is the
#: terminal's business).
INCREASABLE_FLOWS = frozenset({PaymentFlow.SCAN_TO_PAY, PaymentFlow.DISPENSER_READER})


def wants_increase(payment: Payment, running_minor: int) -> bool:
    """Whether to ask for a bigger hold now (not after a decline: that answer stands)."""
    return (
        payment.flow in INCREASABLE_FLOWS
        and not payment.last_error
        and running_minor >= payment.authorized_minor * HOLD_INCREASE_SHARE
    )


def prepaid_limit(payment: Payment) -> Money:
    """The running cost at which the session stops."""
    return Money(math.ceil(payment.authorized_minor * HOLD_STOP_SHARE), payment.currency)


def session_limit(payment: Payment | None, asked: PrepaidLimit | None) -> PrepaidLimit | None:
    """The hold's cost limit and the operator's limits together (the tighter cost wins)."""
    held = None if payment is None else prepaid_limit(payment).to_decimal()
    if asked is None:
        return None if held is None else PrepaidLimit(max_cost=held)
    costs = [c for c in (held, asked.max_cost) if c is not None]
    return PrepaidLimit(
        max_cost=min(costs) if costs else None,
        max_energy_wh=asked.max_energy_wh,
        max_time_s=asked.max_time_s,
        max_soc=asked.max_soc,
    )


@dataclass(frozen=True, slots=True)
class Usage:
    """What a running session has used so far; ``cost`` None: no tariff prices it."""

    cost: Money | None
    energy_wh: float


def running_energy_wh(tx: Transaction) -> float:
    """Energy so far: the ledger's total, or the registers' difference when that is ahead
    (the ledger totals a running session at its readings, the registers at the latest)."""
    if tx.last_register is None or tx.meter_start_wh is None:
        return tx.energy_wh
    return max(tx.energy_wh, tx.last_register.wh - tx.meter_start_wh)


def reached(limit: PrepaidLimit, tx: Transaction, used: Usage, now: datetime) -> StopReason | None:
    """Which limit the running session has reached, if any."""
    cost = used.cost
    if limit.max_cost is not None and cost is not None and cost.to_decimal() >= limit.max_cost:
        return StopReason.OTHER  # the money held (or granted) is used up
    if limit.max_energy_wh is not None and used.energy_wh >= limit.max_energy_wh:
        return StopReason.ENERGY_LIMIT
    if limit.max_time_s is not None and (now - tx.started_at).total_seconds() >= limit.max_time_s:
        return StopReason.TIME_LIMIT
    if limit.max_soc is not None and tx.last_soc is not None and tx.last_soc >= limit.max_soc:
        return StopReason.SOC_LIMIT
    return None
