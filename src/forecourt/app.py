"""The one ASGI application: OCPP websocket, REST API, dashboard, metrics. Part of the
composition root (with ``bootstrap``): the only modules that wire adapters to services."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.requests import Request
from starlette.routing import WebSocketRoute

from forecourt import __version__
from forecourt.api.install import install_api
from forecourt.bootstrap import build_services, open_database, outbox_relay, policy_from
from forecourt.bus.cluster_bus import JetStreamBus
from forecourt.bus.inprocess import InProcessBus
from forecourt.bus.outbox import OutboxRelay
from forecourt.cluster.leases import AdvisoryLeases
from forecourt.cluster.metrics import ClusterCollector
from forecourt.cluster.runtime import ClusterNode
from forecourt.extension import Feature
from forecourt.features import FEATURES
from forecourt.gateway.admission import AdmissionPolicy
from forecourt.gateway.edge import EdgeLimits, SocketGuard
from forecourt.gateway.endpoint import GatewayConfig, OcppEndpoint
from forecourt.gateway.registry import ConnectionRegistry
from forecourt.gateway.station_gateway import LocalStationGateway
from forecourt.observability.metrics import Metrics, OutboxCollector, ThrottleCollector
from forecourt.ocpp import v16, v21, v201
from forecourt.ocpp.adapter import VersionAdapter
from forecourt.ports.clock import Clock
from forecourt.services.core import Services
from forecourt.services.credentials import use_verifier_secret
from forecourt.services.local_auth_automation import LocalAuthAutomation
from forecourt.services.throttle import BackOffThrottle
from forecourt.services.transaction_status import TOPIC as EVENTS_MISSING
from forecourt.services.transaction_status import LostEventRecovery
from forecourt.settings import Settings
from forecourt.storage.database import Database
from forecourt.web import install_web
from forecourt.web.api_docs import install_api_docs
from forecourt.web.headers import SecurityHeaders

log = logging.getLogger("forecourt")

ADAPTERS: dict[str, VersionAdapter] = {
    "ocpp1.6": v16.ADAPTER,
    "ocpp2.0.1": v201.ADAPTER,
    "ocpp2.1": v21.ADAPTER,
}


#: Routes outside the API and the pages (those declare theirs in api.deps / web.scope).
OPERATION_ROUTES = frozenset(
    {
        "WS /ocpp/{station_id}",  # stations: their own password or certificate
        "GET /metrics",  # FORECOURT_METRICS_TOKEN / _ALLOW (docs/security.md)
        "GET /healthz",  # liveness only: up, and how many stations are connected
        "GET /openapi.json",
        "GET /docs",
        "GET /redoc",
        "MOUNT /static",  # CSS, scripts, vendored htmx
    }
)


@dataclass(slots=True)
class Forecourt:
    """Handles on the running parts, kept in ``app.state.forecourt`` (tests, demo, CLI)."""

    settings: Settings
    database: Database
    services: Services
    registry: ConnectionRegistry
    metrics: Metrics
    edge: SocketGuard  # per-socket limits, installed in uvicorn by ``cli.serve.uvicorn_config``
    outbox: OutboxRelay  # delivers committed events; its lag is in /metrics
    cluster: ClusterNode | None = None  # cluster mode (FORECOURT_NATS_URL)
    events: JetStreamBus | None = None  # cluster mode: events over JetStream (ADR 0012)


def create_app(
    settings: Settings,
    *,
    migrate: bool = True,
    features: Sequence[Feature[Any]] = FEATURES,
    clock: Clock | None = None,
) -> FastAPI:
    """The whole application; ``features`` are the installed feature slices; ``clock``: the
    services' time (tests move it instead of waiting; the system clock otherwise)."""
    use_verifier_secret(settings.secret_key)  # station password verifiers (docs/security.md)
    database = open_database(
        settings.database_url,
        sqlite_synchronous=settings.sqlite_synchronous,
        group_commit_max_delay_s=settings.group_commit_max_delay,
        group_commit_max_units=settings.group_commit_max_units,
        features=features,
    )
    cluster = _cluster_node(settings)
    events = _cluster_events(cluster) if cluster else None
    bus = events or InProcessBus()
    relay = outbox_relay(database, bus, orphan_after_s=_orphan_after(settings))
    registry = ConnectionRegistry(cluster.presence if cluster else None)
    local_gateway = LocalStationGateway(registry)
    gateway = cluster.serve(local_gateway) if cluster else local_gateway
    services = build_services(
        database,
        gateway,
        bus=bus,
        policy=policy_from(settings),
        clock=clock,
        settings=settings,
        features=features,
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
    forecourt = Forecourt(
        settings, database, services, registry, metrics, edge, relay, cluster, events
    )
    forecourt.metrics.registry.register(ThrottleCollector(_throttles(services, features)))
    forecourt.metrics.registry.register(OutboxCollector(relay.lag, lambda: relay.delivered_total))
    _register_collectors(forecourt.metrics, services, features)
    if cluster is not None:
        forecourt.metrics.registry.register(ClusterCollector(cluster.status))

    local_auth = LocalAuthAutomation(
        services.ctx,
        services.local_lists,
        services.core.reservations,
        settings.local_auth_sweep_interval,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if migrate:
            await database.migrate()
        if cluster is None:
            await services.network.reset_connections()
        else:
            await _start_cluster(cluster, events, registry, services)
        endpoint.know(await services.network.station_ids())
        local_auth.start()  # local lists follow tokens and boots; reservations expire
        recovery = LostEventRecovery(services.remote)
        stop_recovery = services.ctx.bus.subscribe(EVENTS_MISSING, recovery.on_events_missing)
        for feature in features:  # in order: e.g. payments recovers before serving
            await feature.start(services.feature(feature.key))
        services.device.start()  # monitor templates after each boot
        services.drift.start()  # configuration read back after each boot, and periodically
        await relay.start()  # events a crash left between commit and delivery (ADR 0012)
        log.info("forecourt %s ready (%s)", __version__, database.dialect)
        yield
        await local_auth.stop()
        services.device.stop()
        await services.drift.stop()
        stop_recovery()
        await _close_connections(registry)  # features still see the stations leave
        await relay.stop()
        if isinstance(services.ctx.leases, AdvisoryLeases):
            await services.ctx.leases.close()  # another node takes the singletons at once
        if cluster is not None:
            await _stop_cluster(cluster, events)
        for feature in reversed(features):
            await feature.stop(services.feature(feature.key))
        await database.dispose()

    app = FastAPI(
        title="Forecourt", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.forecourt = forecourt
    endpoint = OcppEndpoint(
        services.core, ADAPTERS, registry, gateway_config(settings), metrics, metrics
    )
    # a plain Starlette route: FastAPI's dependency machinery would stay alive, per connection,
    # for the station's whole session
    app.router.routes.append(WebSocketRoute("/ocpp/{station_id}", endpoint.session))
    install_api(
        app,
        services,
        live_status=gateway.connected_ids,
        features=features,
        cluster_status=cluster.status_json if cluster else None,
    )
    install_web(app, services, settings, cluster.status_json if cluster else None)
    install_api_docs(app)  # /docs and /redoc from vendored assets, never a CDN
    for feature in features:
        feature.install_web(app, services, settings)
    _install_operations(app, forecourt)
    app.add_middleware(SecurityHeaders)
    return app


def _cluster_node(settings: Settings) -> ClusterNode | None:
    if not settings.nats_url:
        return None
    return ClusterNode(
        settings.nats_url, settings.cluster_name, settings.node_id, settings.presence_lease
    )


def _orphan_after(settings: Settings) -> float | None:
    return settings.outbox_orphan_after if settings.nats_url else None


def _cluster_events(cluster: ClusterNode) -> JetStreamBus:
    """One stream per cluster name (several clusters may share a NATS server)."""
    events = JetStreamBus(
        cluster.link.config.bucket("EVENTS"), cluster.link.config.subject("events")
    )
    cluster.consumer_lags = events.lags  # status, the Cluster page and /metrics show them
    return events


async def _start_cluster(
    cluster: ClusterNode,
    events: JetStreamBus | None,
    registry: ConnectionRegistry,
    services: Services,
) -> None:
    await cluster.start(on_taken=registry.evict, on_orphaned=_released(services))
    if events is not None:  # subscribers now consume the stream (shared, leased, every node)
        await events.start(cluster.link.client, services.ctx.leases, services.ctx.uow)
    # only stations no live node holds: the others are connected elsewhere
    await services.network.reset_connections(keep=cluster.presence.live_ids())


async def _stop_cluster(cluster: ClusterNode, events: JetStreamBus | None) -> None:
    if events is not None:
        await events.stop()
    await cluster.stop()


def _released(services: Services) -> Callable[[str], Awaitable[None]]:
    """A dead node's station, released by this node: recorded disconnected (once)."""

    async def record(station_id: str) -> None:
        await services.core.provisioning.disconnected(station_id, "node lost")

    return record


def gateway_config(settings: Settings) -> GatewayConfig:
    return GatewayConfig(
        tuple(settings.protocols),
        settings.call_timeout,
        settings.max_concurrent_handshakes,
        settings.handler_timeout,
        max_queued_handshakes=settings.max_queued_handshakes,
        max_handshakes_per_second=settings.max_handshakes_per_second,
        handshake_max_loop_lag=settings.handshake_max_loop_lag,
        handshake_timeout=settings.handshake_timeout,
        first_message_timeout=settings.effective_first_message_timeout,
        connected_write_grace=settings.connected_write_grace,
        admission=AdmissionPolicy(
            settings.login_failures_before_backoff,
            settings.login_backoff_initial,
            settings.login_backoff_max,
            settings.station_reconnects_per_minute,
        ),
    )


def _install_operations(app: FastAPI, forecourt: Forecourt) -> None:
    may_scrape = metrics_access(forecourt.settings)

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if not may_scrape(request):
            return PlainTextResponse(
                "metrics: not from this address (FORECOURT_METRICS_ALLOW / _TOKEN)", 403
            )
        body = await forecourt.metrics.render(
            lambda: len(forecourt.registry), forecourt.services.history.count_active
        )
        return Response(body, media_type="text/plain; version=0.0.4")

    @app.get("/healthz", include_in_schema=False)
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "connected_stations": len(forecourt.registry)})


def _register_collectors(
    metrics: Metrics, services: Services, features: Sequence[Feature[Any]]
) -> None:
    """Each feature's own Prometheus collectors (``Feature.collectors``)."""
    for feature in features:
        for collector in feature.collectors(services.feature(feature.key)):
            metrics.registry.register(collector)


def _throttles(services: Services, features: Sequence[Feature[Any]]) -> dict[str, BackOffThrottle]:
    throttles = {
        "sign_in_account": services.users.account_throttle,
        "sign_in_address": services.users.address_throttle,
    }
    for feature in features:
        throttles.update(feature.throttles(services.feature(feature.key)))
    return throttles


def metrics_access(settings: Settings) -> Callable[[Request], bool]:
    """Loopback (or FORECOURT_METRICS_ALLOW networks) may scrape; others need the token."""
    networks = [ipaddress.ip_network(n, strict=False) for n in settings.metrics_allow]
    expected = f"Bearer {settings.metrics_token}".encode() if settings.metrics_token else None

    def allowed(request: Request) -> bool:
        sent = request.headers.get("authorization", "").encode()
        if expected is not None and hmac.compare_digest(sent, expected):
            return True
        try:
            peer = ipaddress.ip_address(request.client.host if request.client else "")
        except ValueError:
            return False
        return any(peer in network for network in networks)

    return allowed


async def _close_connections(registry: ConnectionRegistry) -> None:
    closing = []
    for station_id in registry.ids():
        connection = registry.get(station_id)
        if connection is not None:
            connection.session.close()
            closing.append(connection.close(1001, "server shutting down"))
    await asyncio.gather(*closing, return_exceptions=True)
