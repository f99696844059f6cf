"""OCPI 2.2.1 / 2.3.0 (CPO role) as a feature slice (ADR 0009, docs/ocpi.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecourt.extension import CliCommand, Feature, Host, RepositoryFactory
from forecourt.ocpi.keys import OCPI
from forecourt.ports.keys import Key
from forecourt.ports.token_authority import TOKEN_AUTHORITY

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI
    from prometheus_client.registry import Collector

    from forecourt.ocpi.services.roaming import Roaming
    from forecourt.services.core import Services
    from forecourt.settings import Settings
    from forecourt.storage.context import DbContext
    from forecourt.web.scope import Reach

MIGRATIONS = Path(__file__).parent / "storage" / "migrations"  # its Alembic branch

#: OCPI routes: OCPI's own token authentication (api/routes.py), not the API key or sign-in.
OCPI_ROUTES = (
    "GET /ocpi/versions",
    "GET /ocpi/feed/{version}/locations",  # public, rate-limited (api/feed.py)
    "GET /ocpi/{version}",
    "GET /ocpi/{version}/credentials",
    "POST /ocpi/{version}/credentials",
    "PUT /ocpi/{version}/credentials",
    "DELETE /ocpi/{version}/credentials",
    "GET /ocpi/{version}/locations",
    "GET /ocpi/{version}/locations/{location_id}",
    "GET /ocpi/{version}/locations/{location_id}/{evse_uid}",
    "GET /ocpi/{version}/tokens/{country_code}/{party_id}/{token_uid}",
    "PUT /ocpi/{version}/tokens/{country_code}/{party_id}/{token_uid}",
    "PATCH /ocpi/{version}/tokens/{country_code}/{party_id}/{token_uid}",
    "POST /ocpi/{version}/commands/{command}",
    "GET /ocpi/{version}/tariffs",
    "POST /ocpi/{version}/payments/terminals",  # 2.3.0 only (api/payments.py)
    "GET /ocpi/{version}/payments/terminals/{terminal_id}",
    "POST /ocpi/{version}/payments/financial-advice-confirmations",
    "GET /ocpi/{version}/payments/financial-advice-confirmations/{advice_id}",
    "GET /ocpi/{version}/sessions",
    "GET /ocpi/{version}/cdrs",
)


class OcpiFeature(Feature["Roaming"]):
    def repositories(self) -> Mapping[Key[Any], RepositoryFactory]:
        from forecourt.ocpi.ports import OCPI_PAYMENTS, OCPI_SESSIONS, OCPI_STORE, OCPI_TOKENS

        return {
            OCPI_STORE: _store,
            OCPI_TOKENS: _tokens,
            OCPI_PAYMENTS: _payments,
            OCPI_SESSIONS: _sessions,
        }

    def load_tables(self) -> None:
        import forecourt.ocpi.storage.payment_tables
        import forecourt.ocpi.storage.session_tables
        import forecourt.ocpi.storage.tables
        import forecourt.ocpi.storage.token_tables  # noqa: F401

    def build(self, host: Host) -> Roaming:
        from forecourt.ocpi.wiring import build_roaming

        return build_roaming(host)

    def ports(self, built: Roaming) -> Mapping[Key[Any], object]:
        return {TOKEN_AUTHORITY: built.tokens}  # roaming tokens for the one authorization rule

    def collectors(self, built: Roaming) -> Sequence[Collector]:
        from forecourt.ocpi.providers.metrics import OcpiCollector

        return (OcpiCollector(built.stats),)

    async def start(self, built: Roaming) -> None:
        await built.start()  # status pushes: subscribes to connector.status

    async def stop(self, built: Roaming) -> None:
        await built.stop()

    def install_api(self, router: APIRouter, _services: Services) -> None:
        from forecourt.ocpi.api import amenities, cdrs, terminals

        router.include_router(amenities.router)
        router.include_router(terminals.router)
        router.include_router(cdrs.router)

    def page_reach(self) -> Mapping[str, Reach]:
        from forecourt.web.scope import Reach

        return {
            **dict.fromkeys(OCPI_ROUTES, Reach.PUBLIC),
            "GET /dashboard/roaming": Reach.NETWORK,
            "GET /dashboard/sites/{site_id}/amenities": Reach.SITES,
            "POST /dashboard/sites/{site_id}/amenities": Reach.SITES,
        }

    def install_web(self, app: FastAPI, services: Services, settings: Settings) -> None:
        from forecourt.ocpi.api import commands as command_routes
        from forecourt.ocpi.api import (
            common,
            credentials,
            feed,
            locations,
            payments,
            tariffs,
            tokens,
            transport,
        )
        from forecourt.ocpi.domain.rate import RateLimit

        setattr(app.state, common.STATE_KEY, services)
        setattr(app.state, transport.STATS_KEY, services.feature(OCPI).stats)
        rate = settings.ocpi_feed_rate
        setattr(app.state, feed.FEED_LIMIT_KEY, RateLimit(rate, burst=max(1, round(rate * 5))))
        app.include_router(feed.router)  # before "/{version}/...": "feed" is not a version
        app.include_router(credentials.router)
        app.include_router(locations.router)
        app.include_router(tokens.router)
        app.include_router(command_routes.router)
        app.include_router(tariffs.router)
        app.include_router(payments.router)
        from forecourt.ocpi.api import sessions as session_routes

        app.include_router(session_routes.router)

        from forecourt.ocpi.web import install_roaming_page

        install_roaming_page(app, services)


FEATURE = OcpiFeature(
    name="ocpi",
    key=OCPI,
    migrations=MIGRATIONS,
    offers=(TOKEN_AUTHORITY,),
    commands={
        "ocpi": CliCommand(
            "forecourt.ocpi.cli.commands",
            "OCPI roaming: parties, the credentials handshake, push failures.",
        ),
    },
)


def _store(db: DbContext) -> object:
    from forecourt.ocpi.storage.repository import SqlOcpiRepository

    return SqlOcpiRepository(db)


def _payments(db: DbContext) -> object:
    from forecourt.ocpi.storage.payments import SqlPaymentRepository

    return SqlPaymentRepository(db)


def _sessions(db: DbContext) -> object:
    from forecourt.ocpi.storage.sessions import SqlSessionRepository

    return SqlSessionRepository(db)


def _tokens(db: DbContext) -> object:
    from forecourt.ocpi.storage.tokens import SqlTokenRepository

    return SqlTokenRepository(db)
