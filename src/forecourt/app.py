"""The one ASGI application: OCPP websocket, REST API, dashboard, metrics. Part of the
composition root (with ``bootstrap``): the only modules that wire adapters to services."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from starlette.routing import WebSocketRoute

from forecourt import __version__
from forecourt.api import install_api
from forecourt.bootstrap import build_services, policy_from
from forecourt.gateway.admission import AdmissionPolicy
from forecourt.gateway.edge import EdgeLimits, SocketGuard
from forecourt.gateway.endpoint import GatewayConfig, OcppEndpoint
from forecourt.gateway.registry import ConnectionRegistry
from forecourt.gateway.station_gateway import LocalStationGateway
from forecourt.observability.metrics import Metrics
from forecourt.ocpp import v16, v201
from forecourt.ocpp.adapter import VersionAdapter
from forecourt.payments import payment_adapters
from forecourt.services.core import Services
from forecourt.settings import Settings
from forecourt.storage.database import Database
from forecourt.web import install_web
from forecourt.web.compat import install_compat_pages
from forecourt.web.payments import install_payment_pages
from forecourt.web.reliability import install_reliability_pages

log = logging.getLogger("forecourt")

ADAPTERS: dict[str, VersionAdapter] = {"ocpp1.6": v16.ADAPTER, "ocpp2.0.1": v201.ADAPTER}


@dataclass(slots=True)
class Forecourt:
    """Handles on the running parts, kept in ``app.state.forecourt`` (tests, demo, CLI)."""

    settings: Settings
    database: Database
    services: Services
    registry: ConnectionRegistry
    metrics: Metrics
    edge: SocketGuard  # per-socket limits, installed in uvicorn by ``cli.serve.uvicorn_config``


def create_app(settings: Settings, *, migrate: bool = True) -> FastAPI:
    database = Database.from_url(settings.database_url)
    registry = ConnectionRegistry()
    services = build_services(
        database,
        LocalStationGateway(registry),
        policy=policy_from(settings),
        payments=payment_adapters(settings),
    )
    metrics = Metrics()
    edge = SocketGuard(
        EdgeLimits(
            settings.handshake_timeout,
            settings.max_sockets_per_address,
            settings.ws_per_message_deflate,
        ),
        metrics,
    )
    forecourt = Forecourt(settings, database, services, registry, metrics, edge)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if migrate:
            await database.migrate()
        await services.network.reset_connections()
        await services.reliability.start()
        await services.payments.start()  # recovers half-done payments before serving
        log.info("forecourt %s ready (%s)", __version__, database.dialect)
        yield
        await services.payments.stop()
        await _close_connections(registry)
        await services.reliability.stop()
        await database.dispose()

    app = FastAPI(title="Forecourt", version=__version__, lifespan=lifespan)
    app.state.forecourt = forecourt
    endpoint = OcppEndpoint(
        services.core, ADAPTERS, registry, gateway_config(settings), metrics, metrics
    )
    # a plain Starlette route: FastAPI's dependency machinery would stay alive, per connection,
    # for the station's whole session
    app.router.routes.append(WebSocketRoute("/ocpp/{station_id}", endpoint.session))
    install_api(app, services, live_status=registry.ids)
    install_web(app, services, settings)
    install_compat_pages(app, services)
    install_payment_pages(app, services)
    install_reliability_pages(app)
    _install_operations(app, forecourt)
    return app


def gateway_config(settings: Settings) -> GatewayConfig:
    return GatewayConfig(
        tuple(settings.protocols),
        settings.call_timeout,
        settings.max_concurrent_handshakes,
        settings.handler_timeout,
        max_queued_handshakes=settings.max_queued_handshakes,
        max_handshakes_per_second=settings.max_handshakes_per_second,
        handshake_timeout=settings.handshake_timeout,
        first_message_timeout=settings.effective_first_message_timeout,
        admission=AdmissionPolicy(
            settings.login_failures_before_backoff,
            settings.login_backoff_initial,
            settings.login_backoff_max,
            settings.station_reconnects_per_minute,
        ),
    )


def _install_operations(app: FastAPI, forecourt: Forecourt) -> None:
    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        body = await forecourt.metrics.render(
            lambda: len(forecourt.registry), forecourt.services.history.count_active
        )
        return Response(body, media_type="text/plain; version=0.0.4")

    @app.get("/healthz", include_in_schema=False)
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "connected_stations": len(forecourt.registry)})


async def _close_connections(registry: ConnectionRegistry) -> None:
    closing = []
    for station_id in registry.ids():
        connection = registry.get(station_id)
        if connection is not None:
            connection.session.close()
            closing.append(connection.close(1001, "server shutting down"))
    await asyncio.gather(*closing, return_exceptions=True)
