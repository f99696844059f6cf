"""The one prepaid-limit rule: how far a session may go on the money held for it.

Used twice, never restated: OCPP 2.1 stations get it as ``transactionLimit.maxCost`` and stop
themselves; for every station (1.6 and 2.0.1 can be told nothing) the CSMS stops the session
remotely when the running cost reaches it.
"""

from __future__ import annotations

import math

from forecourt.domain.money import Money
from forecourt.payments.domain.payments import Payment

#: A session is stopped when its running cost reaches this share of the approved hold
#: (the rest covers what is delivered between the last reading and the stop).
HOLD_STOP_SHARE = 0.95


def prepaid_limit(payment: Payment) -> Money:
    """The running cost at which the session stops."""
    return Money(math.ceil(payment.authorized_minor * HOLD_STOP_SHARE), payment.currency)
