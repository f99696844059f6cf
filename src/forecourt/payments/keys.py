"""Where payments' services and repositories are found (``services.feature(PAYMENTS)``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forecourt.ports.keys import Key

if TYPE_CHECKING:
    from forecourt.payments.adapters import PaymentAdapters
    from forecourt.ports.payments import PaymentRepository, TariffRepository
    from forecourt.services.payments import PaymentServices

PAYMENTS: Key[PaymentServices] = Key("payments")
PAYMENT_STORE: Key[PaymentRepository] = Key("payments.payments")
TARIFF_STORE: Key[TariffRepository] = Key("payments.tariffs")
#: ``build_services(options={PAYMENT_ADAPTERS: ...})``: a provider and mailer chosen by a test
#: or a tool; without it they come from the settings (or the test provider, without those).
PAYMENT_ADAPTERS: Key[PaymentAdapters] = Key("payments.adapters")
