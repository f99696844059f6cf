"""Payments as a feature slice: what it adds to storage, services, API, pages and CLI."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecourt.extension import CliCommand, Feature, Host, RepositoryFactory
from forecourt.payments.keys import PAYMENT_ADAPTERS, PAYMENTS
from forecourt.ports.keys import Key
from forecourt.ports.session_costs import SESSION_COSTS, STATION_COSTS
from forecourt.ports.station_payments import STATION_PAYMENTS
from forecourt.ports.tariff_catalogue import TARIFF_CATALOGUE

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI

    from forecourt.payments.services import PaymentServices
    from forecourt.services.core import Services
    from forecourt.services.throttle import BackOffThrottle
    from forecourt.settings import Settings
    from forecourt.storage.context import DbContext
    from forecourt.web.scope import Reach

_CLI = "forecourt.payments.cli.commands"
MIGRATIONS = Path(__file__).parent / "storage" / "migrations"  # its Alembic branch


class PaymentsFeature(Feature["PaymentServices"]):
    def repositories(self) -> Mapping[Key[Any], RepositoryFactory]:
        from forecourt.payments.ports import (
            COST_CHECK_STORE,
            PAYMENT_STORE,
            SESSION_LIMIT_STORE,
            TARIFF_STORE,
        )

        return {
            PAYMENT_STORE: _payment_store,
            TARIFF_STORE: _tariff_store,
            COST_CHECK_STORE: _cost_check_store,
            SESSION_LIMIT_STORE: _session_limit_store,
        }

    def load_tables(self) -> None:
        import forecourt.payments.storage.tables  # noqa: F401

    def build(self, host: Host) -> PaymentServices:
        from forecourt.payments.providers import default_adapters, payment_adapters
        from forecourt.payments.services import build_payments

        adapters = host.option(PAYMENT_ADAPTERS)
        if adapters is None:
            adapters = payment_adapters(host.settings) if host.settings else default_adapters()
        return build_payments(
            host.ctx,
            host.remote,
            adapters.provider,
            adapters.mailer,
            adapters.policy,
            adapters.card_terminal(),
        )

    def ports(self, built: PaymentServices) -> Mapping[Key[Any], object]:
        from forecourt.payments.services.catalogue import PublishedTariffs

        return {
            SESSION_COSTS: built.pricing,  # totalCost of a 2.0.1 Ended
            STATION_PAYMENTS: built.direct,  # OCPP 2.1 direct payments (C18-C22)
            STATION_COSTS: built.cost_checks,  # a 2.1 station's own cost, checked
            TARIFF_CATALOGUE: PublishedTariffs(built.tariffs),  # what roaming publishes
        }

    async def start(self, built: PaymentServices) -> None:
        await built.start()  # recovers half-done payments before serving

    async def stop(self, built: PaymentServices) -> None:
        await built.stop()

    def install_api(self, router: APIRouter, _services: Services) -> None:
        from forecourt.payments.api import counter, limits, station_tariffs
        from forecourt.payments.api import routes as payments

        router.include_router(payments.router)  # tariffs, prices, payments, receipts
        router.include_router(station_tariffs.router)  # tariffs held by 2.1 stations
        router.include_router(counter.router)  # the attendant's counter, card terminals
        router.include_router(limits.router)  # sessions started with limits

    def page_reach(self) -> Mapping[str, Reach]:
        from forecourt.web.scope import Reach

        return {
            "GET /pay/{station_id}/{evse_id}/qr.svg": Reach.PUBLIC,
            "GET /pay/assets/pay.js": Reach.PUBLIC,
            "GET /pay/session/{public_id}": Reach.PUBLIC,  # the unguessable id is the credential
            "POST /pay/session/{public_id}/stop": Reach.PUBLIC,  # likewise (and CSRF-checked)
            "GET /pay/test-provider/{ref}": Reach.PUBLIC,
            "POST /pay/test-provider/{ref}": Reach.PUBLIC,
            "GET /receipts": Reach.PUBLIC,
            "GET /receipts/{code}": Reach.PUBLIC,
            "GET /pay/{station_id}/{evse_id}": Reach.PUBLIC,
            "POST /pay/{station_id}/{evse_id}": Reach.PUBLIC,
            "GET /dashboard/payments": Reach.SITES,
            "POST /dashboard/payments/reconcile": Reach.ADMIN,
            "GET /dashboard/tariffs": Reach.SITES,
            "GET /dashboard/counter": Reach.SITES,
            "GET /dashboard/counter/{site_id}": Reach.SITES,
            "POST /dashboard/counter/{site_id}/prepay": Reach.SITES,
            "GET /dashboard/counter/payments/{public_id}": Reach.SITES,
        }

    def install_web(self, app: FastAPI, services: Services, _settings: Settings) -> None:
        from forecourt.payments.web import install_payment_pages

        install_payment_pages(app, services)

    def throttles(self, built: PaymentServices) -> Mapping[str, BackOffThrottle]:
        return {"receipt_lookup": built.receipts.lookups}


FEATURE = PaymentsFeature(
    name="payments",
    key=PAYMENTS,
    offers=(SESSION_COSTS, STATION_PAYMENTS, STATION_COSTS, TARIFF_CATALOGUE),
    migrations=MIGRATIONS,
    commands={
        "tariffs": CliCommand(_CLI, "Tariffs: $/kWh bands, fees, taxes; where they apply."),
        "payments": CliCommand(_CLI, "Card payments: list, recover, reconcile, statements."),
        "receipts": CliCommand(_CLI, "Receipts: show one, find by card digits and day."),
        "counter": CliCommand(
            "forecourt.payments.cli.counter",
            "Pay inside: counter prepayments (cash or card), stand-alone card terminals.",
        ),
    },
    public_api_routes=frozenset(
        {
            "GET /api/prices/{station_id}/{evse_id}",
            "POST /api/payments/scan-to-pay",
            "GET /api/payments/{public_id}/status",  # the unguessable id is the credential
            "POST /api/payments/webhooks/{provider}",  # signed by the provider
            "GET /api/receipts/{code}",  # the receipt code is the credential
            "GET /api/receipts",  # a second factor, one match, throttled
        }
    ),
)


def _payment_store(db: DbContext) -> object:
    from forecourt.payments.storage.payments import SqlPaymentRepository

    return SqlPaymentRepository(db)


def _tariff_store(db: DbContext) -> object:
    from forecourt.payments.storage.tariffs import SqlTariffRepository

    return SqlTariffRepository(db)


def _cost_check_store(db: DbContext) -> object:
    from forecourt.payments.storage.cost_checks import SqlCostCheckRepository

    return SqlCostCheckRepository(db)


def _session_limit_store(db: DbContext) -> object:
    from forecourt.payments.storage.session_limits import SqlSessionLimitRepository

    return SqlSessionLimitRepository(db)
