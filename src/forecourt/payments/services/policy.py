"""The operator's payment settings, and the adapters, as the payment services see them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from forecourt.payments.domain.payments import Payment, PaymentState
from forecourt.payments.ports import (
    CardTerminal,
    NoMailer,
    PaymentProvider,
    ReaderDirectory,
    ReceiptMailer,
)


@dataclass(frozen=True, slots=True)
class PaymentPolicy:
    public_url: str = "http://127.0.0.1:9000"  # base of QR codes, receipt links, return URLs
    start_timeout_s: float = 300.0  # an approved hold with no session by then is released
    card_page_timeout_s: float = 900.0  # a hold still waiting for the card is abandoned
    station_settlement_timeout_s: float = 3600.0  # a 2.1 station's NotifySettlement is late
    sweep_interval_s: float = 15.0  # the recovery pass runs this often
    retry_base_s: float = 5.0  # owed capture/release retried after 5 s, 10 s, 20 s ...
    retry_max_s: float = 600.0
    max_attempts: int = 10  # then escalated to an operator
    running_cost_interval_s: float = 60.0  # running cost pushed to stations at most this often
    push_prices: bool = True  # send prices and costs to stations that can show them
    readers: ReaderDirectory = field(default_factory=ReaderDirectory)
    dynamic_qr_ttl_s: float = 120.0  # a dynamic QR code (C25) is refused after this long
    #: Signs dynamic QR codes (the server's secret key; a random one without settings).
    qr_secret: str = field(default_factory=lambda: secrets.token_hex(32), repr=False)

    def url(self, path: str) -> str:
        return self.public_url.rstrip("/") + path

    def expires_at(self, payment: Payment) -> datetime | None:
        """When an unused hold is dropped and released: the card page was not completed
        (pending), or no session started (authorized). None once a session uses it."""
        if payment.state is PaymentState.PENDING:
            return payment.created_at + timedelta(seconds=self.card_page_timeout_s)
        if payment.state is PaymentState.AUTHORIZED:
            approved = payment.authorized_at or payment.created_at
            return approved + timedelta(seconds=self.start_timeout_s)
        return None

    def next_attempt(self, now: datetime, attempts: int) -> datetime:
        delay = min(self.retry_base_s * 2 ** max(attempts - 1, 0), self.retry_max_s)
        return now + timedelta(seconds=delay)


@dataclass(frozen=True, slots=True)
class PaymentAdapters:
    """What payments are built with: ``payments.providers.payment_adapters`` makes them from
    the settings; a test or a tool hands its own (``build_services(options=...)``)."""

    provider: PaymentProvider
    mailer: ReceiptMailer = field(default_factory=NoMailer)
    policy: PaymentPolicy = field(default_factory=PaymentPolicy)
    terminal: CardTerminal | None = None  # counter / stand-alone card terminals (C24)

    def card_terminal(self) -> CardTerminal | None:
        """The terminal port: the one given, else the provider when it is one (test)."""
        if self.terminal is not None:
            return self.terminal
        return self.provider if isinstance(self.provider, CardTerminal) else None
