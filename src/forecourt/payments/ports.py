"""Payment ports: the provider (test provider, Stripe...), payment and tariff storage, receipts.

Every provider call that moves money takes an idempotency key: calling twice with the same key
has the effect of calling once, and answers the first call's result.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from forecourt.domain.money import Money
from forecourt.payments.domain.cost_checks import CostCheck
from forecourt.payments.domain.costing import TariffChange
from forecourt.payments.domain.payments import (
    CardInfo,
    HoldStatus,
    Payment,
    PaymentFlow,
    PaymentState,
)
from forecourt.payments.domain.tariffs import Tariff
from forecourt.ports.keys import Key
from forecourt.ports.station_payments import PrepaidLimit


@dataclass(frozen=True, slots=True)
class HoldRequest:
    amount: Money
    reference: str  # Forecourt's payment public id, echoed in notifications
    flow: PaymentFlow
    description: str = ""
    return_url: str = ""  # where the hosted card page sends the driver back
    cancel_url: str = ""
    reader_id: str = ""  # card-present reader at the dispenser (reader flow)
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HoldResult:
    """The provider's view of a hold."""

    provider_ref: str
    status: HoldStatus
    amount: Money  # requested
    authorized: Money | None = None  # approved (may be less: partial approval)
    captured: Money | None = None
    card: CardInfo = field(default_factory=CardInfo)
    redirect_url: str = ""  # hosted card page (scan-to-pay)
    decline_reason: str = ""  # safe to show the driver
    reference: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProviderEvent:
    """A verified notification (webhook) in neutral terms."""

    event_id: str
    hold: HoldResult
    id_token: str = ""  # the reference the station will present (dispenser terminal)
    station_id: str = ""
    evse_id: int | None = None


class PaymentProvider(Protocol):
    name: str

    async def create_hold(self, request: HoldRequest, *, idempotency_key: str) -> HoldResult: ...
    async def get_hold(self, provider_ref: str) -> HoldResult: ...
    async def capture(
        self, provider_ref: str, amount: Money, *, idempotency_key: str
    ) -> HoldResult: ...
    async def release(self, provider_ref: str, *, idempotency_key: str) -> HoldResult: ...
    async def increment_hold(
        self, provider_ref: str, amount: Money, *, idempotency_key: str
    ) -> HoldResult: ...

    # ^ C23: the same hold grows to ``amount`` (the new total); a decline leaves it as it was
    # (``ProviderRejected``), still capturable for what was approved before.
    async def recent_holds(self, since: datetime) -> list[HoldResult]: ...
    async def parse_webhook(
        self, body: bytes, headers: Mapping[str, str]
    ) -> ProviderEvent | None: ...

    # ^ raises InvalidWebhook on a bad signature; None for events that do not concern holds
    # Every method raises ProviderUnavailable (retry) or ProviderRejected (do not retry).


@dataclass(frozen=True, slots=True)
class TerminalRequest:
    """Ask a card terminal to authenticate a card for ``amount`` (a pre-authorisation)."""

    terminal_id: str
    amount: Money
    reference: str  # Forecourt's payment public id, echoed back
    description: str = ""


@runtime_checkable
class CardTerminal(Protocol):
    """A card terminal Forecourt drives server to server (stand-alone at the site, or on an
    attendant's counter), in the three steps unattended terminals share: authenticate the card
    for an amount, trigger the transaction once the session runs, settle the final amount.

    Results use the hold vocabulary (``HoldResult``): ``settle`` answers ``CAPTURED`` (or
    ``CANCELED`` when nothing is owed). Every step is idempotent by its key; each raises
    ``ProviderUnavailable`` (retry) or ``ProviderRejected`` (do not). A vendor is one adapter.
    """

    name: str

    async def start_authentication(
        self, request: TerminalRequest, *, idempotency_key: str
    ) -> HoldResult: ...
    async def trigger_transaction(
        self, terminal_ref: str, session_ref: str, *, idempotency_key: str
    ) -> HoldResult: ...
    async def settle(
        self, terminal_ref: str, amount: Money, *, idempotency_key: str
    ) -> HoldResult: ...
    async def get_authentication(self, terminal_ref: str) -> HoldResult: ...


@runtime_checkable
class HostedCardPage(Protocol):
    """A provider whose card page Forecourt serves itself (the built-in test provider; Stripe
    hosts its own): the card the driver types there decides the hold."""

    async def get_hold(self, provider_ref: str) -> HoldResult: ...
    def present_card(self, provider_ref: str, card_number: str) -> HoldResult: ...


@dataclass(frozen=True, slots=True)
class PaymentFilter:
    states: tuple[PaymentState, ...] = ()
    station_id: str | None = None
    station_ids: frozenset[str] | None = None  # only these stations (a user's sites); None: all
    card_last4: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100


class PaymentRepository(Protocol):
    async def add(self, payment: Payment) -> Payment: ...  # assigns id
    async def save(self, payment: Payment) -> None: ...
    async def get(self, payment_id: int) -> Payment | None: ...
    async def get_for_update(self, payment_id: int) -> Payment | None: ...
    async def by_public_id(self, public_id: str) -> Payment | None: ...
    async def by_provider_ref(self, provider: str, provider_ref: str) -> Payment | None: ...
    async def by_token(self, id_token: str) -> builtins.list[Payment]: ...  # newest first
    async def by_transaction(self, transaction_id: int) -> Payment | None: ...
    async def by_receipt_code(self, code: str) -> Payment | None: ...
    async def list(self, flt: PaymentFilter) -> builtins.list[Payment]: ...  # newest first
    async def record_event(self, provider: str, event_id: str, at: datetime) -> bool: ...

    # ^ False when the provider event was seen before (webhooks are delivered at least once)


@dataclass(frozen=True, slots=True)
class TariffBinding:
    """Which tariff applies where; the most specific binding wins (see services.tariffs)."""

    tariff_code: str
    site_id: str | None = None
    station_id: str | None = None
    evse_id: int | None = None
    connector_type: str | None = None
    id: int = 0


class TariffRepository(Protocol):
    async def add_revision(self, tariff: Tariff) -> Tariff: ...  # assigns the next revision
    async def in_force(self, code: str, at: datetime) -> Tariff | None: ...
    async def revisions(self, code: str) -> builtins.list[Tariff]: ...  # oldest first
    async def codes(self) -> builtins.list[str]: ...
    async def bind(self, binding: TariffBinding) -> TariffBinding: ...  # replaces same scope
    async def unbind(self, binding_id: int) -> bool: ...
    async def bindings(self) -> builtins.list[TariffBinding]: ...
    async def pin(self, transaction_id: int, tariff: Tariff, at: datetime) -> bool: ...

    # ^ fixes the tariff for a session; False (and no change) when already pinned
    async def pinned(self, transaction_id: int) -> Tariff | None: ...
    async def schedule(self, transaction_id: int) -> TariffSchedule | None: ...

    # ^ the pin and its accepted changes, in one read (the pricing path)
    async def add_change(self, transaction_id: int, change: TariffChange) -> bool: ...

    # ^ False when the session has no pin yet
    async def set_driver(self, id_token: str, code: str, at: datetime) -> None: ...
    async def clear_driver(self, id_token: str) -> bool: ...
    async def driver(self, id_token: str) -> str | None: ...  # the token's own tariff code
    async def drivers(self) -> builtins.list[tuple[str, str]]: ...  # (id_token, code)


@dataclass(frozen=True, slots=True)
class TariffSchedule:
    """The tariff pinned at a session's start and each accepted change since (OCPP 2.1 I10)."""

    pinned: Tariff
    changes: tuple[TariffChange, ...] = ()

    @property
    def current(self) -> Tariff:
        return self.changes[-1].tariff if self.changes else self.pinned


@dataclass(frozen=True, slots=True)
class ReceiptEmail:
    to: str
    subject: str
    text: str
    html: str = ""


class ReceiptMailer(Protocol):
    async def send(self, email: ReceiptEmail) -> None: ...  # raises on failure


class NoMailer:
    """Receipts by email disabled (no SMTP server configured)."""

    async def send(self, _email: ReceiptEmail) -> None:
        raise RuntimeError("email receipts are not configured (FORECOURT_SMTP_HOST)")


@dataclass(frozen=True, slots=True)
class ReaderDirectory:
    """Card readers attached to dispensers: (station id, EVSE id) -> provider reader id."""

    readers: Mapping[str, str] = field(default_factory=dict)

    def reader_for(self, station_id: str, evse_id: int) -> str:
        return self.readers.get(f"{station_id}/{evse_id}", "")


class CostCheckRepository(Protocol):
    async def add(self, check: CostCheck) -> bool: ...  # False: already checked
    async def get(self, transaction_id: int) -> CostCheck | None: ...
    async def list(self, flagged_only: bool, limit: int = 200) -> builtins.list[CostCheck]: ...


class SessionLimitRepository(Protocol):
    async def add(
        self, station_id: str, id_token: str, limit: PrepaidLimit, at: datetime
    ) -> None: ...
    async def newest(
        self, station_id: str, id_token: str, since: datetime, until: datetime
    ) -> PrepaidLimit | None: ...


#: Where the unit of work keeps payments' repositories (``uow.repository(PAYMENT_STORE)``).
PAYMENT_STORE: Key[PaymentRepository] = Key("payments.payments")
TARIFF_STORE: Key[TariffRepository] = Key("payments.tariffs")
COST_CHECK_STORE: Key[CostCheckRepository] = Key("payments.cost_checks")
SESSION_LIMIT_STORE: Key[SessionLimitRepository] = Key("payments.session_limits")
