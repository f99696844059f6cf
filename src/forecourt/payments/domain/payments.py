"""Card payments as a durable state machine: a hold, one session, exactly one capture or release.

    pending ──▶ authorized ──▶ in_session ──▶ to_capture ──▶ captured
       │            │               │              │
       ▼            ▼               ▼              ▼
    declined    to_release ◀───────┘ (nothing owed) escalated (an operator decides)
                    │
                    ▼
                 released

``to_capture`` and ``to_release`` are the outbox: the amount and the decision are stored
before the provider is called, so a crash in between is finished by the recovery pass, with
the same idempotency key (the provider then answers the first call's result).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from forecourt.domain.errors import Conflict, ForecourtError
from forecourt.domain.money import Money
from forecourt.domain.transactions import PaymentMethod


class PaymentState(StrEnum):
    PENDING = "pending"  # hold requested, waiting for the card
    AUTHORIZED = "authorized"  # hold approved, no session yet
    DECLINED = "declined"  # refused or failed before any session: nothing held
    IN_SESSION = "in_session"  # linked to a transaction
    TO_CAPTURE = "to_capture"  # final amount fixed, capture owed
    TO_RELEASE = "to_release"  # nothing to charge, release owed
    CAPTURED = "captured"
    RELEASED = "released"
    ESCALATED = "escalated"  # an operator must look (capture refused, amounts disagree)

    @property
    def final(self) -> bool:
        return self in (PaymentState.CAPTURED, PaymentState.RELEASED, PaymentState.DECLINED)


ALLOWED: dict[PaymentState, frozenset[PaymentState]] = {
    # Every open state may be escalated: settling it failed in a way no retry will fix.
    PaymentState.PENDING: frozenset(
        {
            PaymentState.AUTHORIZED,
            PaymentState.DECLINED,
            PaymentState.TO_RELEASE,
            PaymentState.ESCALATED,
        }
    ),
    PaymentState.AUTHORIZED: frozenset(
        {
            PaymentState.IN_SESSION,
            PaymentState.TO_RELEASE,
            PaymentState.CAPTURED,
            PaymentState.ESCALATED,
        }
    ),
    PaymentState.IN_SESSION: frozenset(
        {
            PaymentState.TO_CAPTURE,
            PaymentState.TO_RELEASE,
            PaymentState.CAPTURED,
            PaymentState.ESCALATED,
        }
    ),
    PaymentState.TO_CAPTURE: frozenset({PaymentState.CAPTURED, PaymentState.ESCALATED}),
    PaymentState.TO_RELEASE: frozenset({PaymentState.RELEASED, PaymentState.ESCALATED}),
    PaymentState.ESCALATED: frozenset(
        {PaymentState.TO_CAPTURE, PaymentState.TO_RELEASE, PaymentState.CAPTURED}
    ),
    PaymentState.CAPTURED: frozenset({PaymentState.ESCALATED}),
    PaymentState.RELEASED: frozenset({PaymentState.ESCALATED}),
    PaymentState.DECLINED: frozenset(),
}


class PaymentFlow(StrEnum):
    """How the hold came about (docs/payments.md lists the integration shapes)."""

    DISPENSER_TERMINAL = "dispenser_terminal"  # a terminal pre-authorised; provider webhook
    DISPENSER_READER = "dispenser_reader"  # Forecourt drives a card reader (Stripe Terminal)
    SCAN_TO_PAY = "scan_to_pay"  # QR code -> hosted card page
    DIRECT_PAYMENT = "direct_payment"  # the station settles itself (OCPP 2.1 NotifySettlement)
    STANDALONE_TERMINAL = "standalone_terminal"  # a card terminal beside the stations (C24)
    ATTENDANT_CARD = "attendant_card"  # prepaid inside, card on the counter terminal
    ATTENDANT_CASH = "attendant_cash"  # prepaid inside, cash: recorded, no provider
    PREPAID_CARD = "prepaid_card"  # a session on a prepaid card's credit (OCPP 2.1 C17)
    PREPAID_LOAD = "prepaid_load"  # credit loaded on a prepaid card at the counter (cash)


PAYMENT_METHOD: dict[PaymentFlow, PaymentMethod] = {
    PaymentFlow.DISPENSER_TERMINAL: PaymentMethod.CARD_AT_DISPENSER,
    PaymentFlow.DISPENSER_READER: PaymentMethod.CARD_AT_DISPENSER,
    PaymentFlow.SCAN_TO_PAY: PaymentMethod.SCAN_TO_PAY,
    PaymentFlow.DIRECT_PAYMENT: PaymentMethod.CARD_AT_DISPENSER,
    PaymentFlow.STANDALONE_TERMINAL: PaymentMethod.CARD_TERMINAL,
    PaymentFlow.ATTENDANT_CARD: PaymentMethod.ATTENDANT_PREPAY,
    PaymentFlow.ATTENDANT_CASH: PaymentMethod.ATTENDANT_PREPAY,
    PaymentFlow.PREPAID_CARD: PaymentMethod.PREPAID_CARD,
    PaymentFlow.PREPAID_LOAD: PaymentMethod.ATTENDANT_PREPAY,
}

#: Flows whose money moves at a card terminal through the ``CardTerminal`` port.
TERMINAL_FLOWS = frozenset({PaymentFlow.STANDALONE_TERMINAL, PaymentFlow.ATTENDANT_CARD})
#: Flows whose money is with us already (the till, a prepaid card's credit): settling them
#: calls nobody, it records what was kept.
LOCAL_FLOWS = frozenset({PaymentFlow.ATTENDANT_CASH, PaymentFlow.PREPAID_CARD})
#: Flows whose id token outlives the session (a prepaid card is used again and again).
REUSABLE_TOKEN_FLOWS = frozenset({PaymentFlow.PREPAID_CARD})
#: Flows an attendant takes at the counter: a prepayment, whatever is unused is change due.
ATTENDANT_FLOWS = frozenset({PaymentFlow.ATTENDANT_CARD, PaymentFlow.ATTENDANT_CASH})
#: Flows Forecourt starts remotely once the hold is approved.
REMOTE_START_FLOWS = frozenset(
    {
        PaymentFlow.SCAN_TO_PAY,
        PaymentFlow.DISPENSER_READER,
        PaymentFlow.STANDALONE_TERMINAL,
        *ATTENDANT_FLOWS,
    }
)


#: Where a payment's money has been decided for good (captured, or nothing taken).
SETTLED_STATES = frozenset({PaymentState.CAPTURED, PaymentState.RELEASED})


class HoldStatus(StrEnum):
    """A provider's view of one hold, in neutral words."""

    PENDING = "pending"
    AUTHORIZED = "authorized"
    DECLINED = "declined"
    CAPTURED = "captured"
    CANCELED = "canceled"


@dataclass(frozen=True, slots=True)
class CardInfo:
    brand: str = ""
    last4: str = ""


@dataclass(slots=True)
class Payment:
    flow: PaymentFlow
    provider: str
    currency: str
    hold_minor: int
    created_at: datetime
    public_id: str = field(default_factory=lambda: new_public_id())
    id: int = 0
    state: PaymentState = PaymentState.PENDING
    provider_ref: str = ""
    id_token: str = ""
    station_id: str = ""
    evse_id: int | None = None
    authorized_minor: int = 0
    transaction_id: int | None = None
    final_minor: int | None = None
    captured_minor: int = 0
    card: CardInfo = field(default_factory=CardInfo)
    email: str = ""
    tariff: dict[str, Any] = field(default_factory=dict)  # the snapshot fixed for the session
    breakdown: dict[str, Any] = field(default_factory=dict)  # the final itemised cost
    message: str = ""  # what the driver is told (decline reason, start failure)
    redirect_url: str = ""  # the provider's hosted card page (scan-to-pay)
    attempts: int = 0  # provider calls tried for the owed capture/release
    last_error: str = ""
    next_attempt_at: datetime | None = None
    updated_at: datetime | None = None
    authorized_at: datetime | None = None
    completed_at: datetime | None = None
    receipt_code: str = ""
    #: Who took the money at the counter (an attendant's user or API key name); "" otherwise.
    taken_by: str = ""

    @property
    def method(self) -> PaymentMethod:
        return PAYMENT_METHOD[self.flow]

    @property
    def hold(self) -> Money:
        return Money(self.hold_minor, self.currency)

    @property
    def authorized(self) -> Money:
        return Money(self.authorized_minor, self.currency)

    def move(self, to: PaymentState, at: datetime) -> None:
        """Change state; an impossible change is a Conflict (never a silent overwrite)."""
        if to is self.state:
            return
        if to not in ALLOWED[self.state]:
            raise Conflict(f"payment {self.public_id}: {self.state.value} -> {to.value} refused")
        self.state = to
        self.updated_at = at
        if to.final or to is PaymentState.CAPTURED:
            self.completed_at = at

    def capture_amount(self) -> Money:
        """What the capture takes: the final cost, never more than was authorised."""
        final = Money(self.final_minor or 0, self.currency)
        return final.min(self.authorized)

    @property
    def change_due(self) -> Money:
        """The prepayment not used (attendant flows): cash handed back, or the card's
        unused hold released. Zero until the payment is settled."""
        if self.flow not in ATTENDANT_FLOWS or self.state not in SETTLED_STATES:
            return Money(0, self.currency)
        return Money(max(self.authorized_minor - self.captured_minor, 0), self.currency)

    def key(self, step: str) -> str:
        """Idempotency key of one provider step of this payment: stable across retries."""
        return f"forecourt-{self.public_id}-{step}"


def new_public_id() -> str:
    """Unguessable id used in driver URLs (no account, so the link is the credential)."""
    return secrets.token_urlsafe(12)


def new_token_value(prefix: str) -> str:
    """A fresh id token (<= 20 characters: OCPP 1.6 idTag) for a paid session."""
    return f"{prefix}{secrets.token_hex(8).upper()}"[:20]


def new_receipt_code() -> str:
    return secrets.token_hex(5).upper()


class PaymentError(ForecourtError):
    """A payment could not be done; ``str()`` is safe to show the driver."""


class ProviderUnavailable(PaymentError):
    """The provider did not answer (timeout, network, 5xx): retry later with the same key."""


class ProviderRejected(PaymentError):
    """The provider refused the request itself (invalid state, bad key): retrying won't help."""


class InvalidWebhook(PaymentError):
    """A notification whose signature or shape is wrong: ignored, answered 400."""
