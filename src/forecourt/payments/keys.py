"""Where payments' services are found (``services.feature(PAYMENTS)``); its repositories' keys
live with their protocols in ``payments/ports.py``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forecourt.ports.keys import Key

if TYPE_CHECKING:
    from forecourt.payments.services import PaymentServices
    from forecourt.payments.services.policy import PaymentAdapters

PAYMENTS: Key[PaymentServices] = Key("payments")
#: ``build_services(options={PAYMENT_ADAPTERS: ...})``: a provider and mailer chosen by a test
#: or a tool; without it they come from the settings (or the test provider, without those).
PAYMENT_ADAPTERS: Key[PaymentAdapters] = Key("payments.adapters")
