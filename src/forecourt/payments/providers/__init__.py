"""Payment provider adapters (test provider, Stripe) and the receipt mailer, from settings.

Only ``payments/feature.py`` imports this package: it is where payments' adapters are wired.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from forecourt.notifications.smtp_mailer import SmtpMailer
from forecourt.payments.ports import NoMailer, PaymentProvider, ReaderDirectory, ReceiptMailer
from forecourt.payments.providers.test_provider import TestProvider
from forecourt.payments.services.policy import PaymentAdapters, PaymentPolicy
from forecourt.settings import PaymentProviderName, Settings

if TYPE_CHECKING:
    from forecourt.payments.providers.stripe_provider import StripeProvider

__all__ = ["StripeProvider", "TestProvider", "default_adapters", "payment_adapters"]


def __getattr__(name: str) -> Any:
    """``StripeProvider`` loads the Stripe SDK (slow to import) only when asked for."""
    if name == "StripeProvider":
        from forecourt.payments.providers.stripe_provider import StripeProvider

        return StripeProvider
    raise AttributeError(name)


def default_adapters() -> PaymentAdapters:
    """Without settings (a test building services): the test provider, no e-mail."""
    return PaymentAdapters(TestProvider())


def payment_adapters(settings: Settings) -> PaymentAdapters:
    public_url = settings.payments_public_url or _local_url(settings)
    provider: PaymentProvider
    if settings.payment_provider is PaymentProviderName.STRIPE:
        from forecourt.payments.providers.stripe_provider import StripeProvider

        provider = StripeProvider(
            settings.stripe_api_key or "",  # Settings refuse stripe without both keys
            settings.stripe_webhook_secret or "",
            api_base=settings.stripe_api_base,
        )
    else:
        provider = TestProvider(
            webhook_secret=settings.test_provider_webhook_secret,
            public_url=public_url,
            state_file=settings.test_provider_state_file,
            faults=settings.test_provider_faults,
        )
    mailer: ReceiptMailer = NoMailer()
    if settings.smtp_host:
        mailer = SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            sender=settings.smtp_sender,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )
    policy = PaymentPolicy(
        public_url=public_url,
        start_timeout_s=settings.payments_start_timeout,
        card_page_timeout_s=settings.payments_card_page_timeout,
        station_settlement_timeout_s=settings.payments_station_settlement_timeout,
        sweep_interval_s=settings.payments_sweep_interval,
        running_cost_interval_s=settings.payments_running_cost_interval,
        push_prices=settings.payments_push_prices,
        readers=ReaderDirectory(dict(settings.stripe_terminal_readers)),
        dynamic_qr_ttl_s=settings.payments_dynamic_qr_ttl,
        qr_secret=settings.secret_key,
    )
    return PaymentAdapters(provider, mailer, policy)


def _local_url(settings: Settings) -> str:
    scheme = "https" if settings.tls_enabled else "http"
    return f"{scheme}://{settings.host}:{settings.port}"
