"""The one prepaid-limit rule: how far a session may go on the money held for it.

Used twice, never restated: OCPP 2.1 stations get it as ``transactionLimit.maxCost`` and stop
themselves; for every station (1.6 and 2.0.1 can be told nothing) the CSMS stops the session
remotely when the running cost reaches it.
"""

from __future__ import annotations

import math

from forecourt.domain.money import Money
from forecourt.payments.domain.payments import Payment, PaymentFlow

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
