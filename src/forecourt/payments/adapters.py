"""Payment provider adapters (test provider, Stripe) and the receipt mailer, from settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from forecourt.payments.email import SmtpMailer
from forecourt.payments.test_provider import TestProvider
from forecourt.ports.payments import NoMailer, PaymentProvider, ReaderDirectory, ReceiptMailer
from forecourt.services.payments.policy import PaymentPolicy
from forecourt.settings import PaymentProviderName, Settings

if TYPE_CHECKING:
    from forecourt.payments.stripe_provider import StripeProvider

__all__ = ["PaymentAdapters", "StripeProvider", "TestProvider", "payment_adapters"]


def __getattr__(name: str) -> Any:
    """``StripeProvider`` loads the Stripe SDK (slow to import) only when asked for."""
    if name == "StripeProvider":
        from forecourt.payments.stripe_provider import StripeProvider

        return StripeProvider
    raise AttributeError(name)


@dataclass(frozen=True, slots=True)
class PaymentAdapters:
    provider: PaymentProvider = field(default_factory=TestProvider)
    mailer: ReceiptMailer = field(default_factory=NoMailer)
    policy: PaymentPolicy = field(default_factory=PaymentPolicy)


def payment_adapters(settings: Settings) -> PaymentAdapters:
    public_url = settings.payments_public_url or _local_url(settings)
    provider: PaymentProvider
    if settings.payment_provider is PaymentProviderName.STRIPE:
        from forecourt.payments.stripe_provider import StripeProvider

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
        sweep_interval_s=settings.payments_sweep_interval,
        running_cost_interval_s=settings.payments_running_cost_interval,
        push_prices=settings.payments_push_prices,
        readers=ReaderDirectory(dict(settings.stripe_terminal_readers)),
    )
    return PaymentAdapters(provider, mailer, policy)


def _local_url(settings: Settings) -> str:
    scheme = "https" if settings.tls_enabled else "http"
    return f"{scheme}://{settings.host}:{settings.port}"
