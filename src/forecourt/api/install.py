"""Mounting the REST API: every router under ``/api``, with problem+json errors.

Mount it with ``install_api(app, services, live_status=gateway.connected_ids)``: that adds the
routes under ``/api`` and the problem+json error handlers (which leave non-API paths alone).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from fastapi import APIRouter, Depends, FastAPI

from forecourt.api.deps import ApiContext, binder
from forecourt.api.problems import API_PREFIX, install_problem_handlers, problem_responses
from forecourt.api.routes import (
    api_keys,
    cluster,
    commands,
    configuration,
    connectors,
    device,
    drift,
    local_auth,
    maintenance,
    retrofits,
    sites,
    stations,
    tokens,
)
from forecourt.api.routes import transactions as transaction_routes
from forecourt.services.core import Services


class ApiContribution(Protocol):
    """A feature, as far as the API needs it (``forecourt.extension.Feature``)."""

    def install_api(self, router: APIRouter, services: Services) -> None: ...


__all__ = ["API_PREFIX", "create_api", "install_api", "install_problem_handlers"]

LiveStatus = Callable[[], Iterable[str]]
ClusterStatus = Callable[[], dict[str, Any]]


def create_api(
    services: Services,
    *,
    live_status: LiveStatus | None = None,
    features: Sequence[ApiContribution] = (),
    cluster_status: ClusterStatus | None = None,
) -> APIRouter:
    """All API routes under ``/api``, bound to ``services``.

    ``live_status`` returns the ids of stations connected right now (the gateway's
    ``connected_ids``); without it, the connection state recorded in storage is shown.
    Errors become problem+json only once ``install_problem_handlers`` ran on the app.
    ``features`` (``forecourt.features.FEATURES``) add their routes after the core's.
    """
    context = ApiContext(services, live_status, cluster_status)
    router = APIRouter(
        prefix=API_PREFIX,
        dependencies=[Depends(binder(context))],
        # 422 replaces FastAPI's own schema; 400 is a body that is not even text (bad UTF-8)
        responses=problem_responses(400, 401, 422, 500),
    )
    for module in (
        sites,
        stations,
        connectors,
        tokens,
        transaction_routes,
        commands,
        configuration,  # many items at once, within the station's per-message limits
        api_keys,
        retrofits,  # connectors added or converted in place, history kept
        maintenance,  # firmware updates and log uploads
        local_auth,  # local lists, the authorization cache, reservations
        device,  # monitors, display messages, customer information
        drift,  # desired configuration per model, drift checks and corrections
        cluster,  # nodes and the stations they hold (cluster mode)
    ):
        router.include_router(module.router)
    router.include_router(maintenance.upload_router)  # stations upload logs, token in the URL
    for feature in features:
        feature.install_api(router, services)
    return router


def install_api(
    app: FastAPI,
    services: Services,
    *,
    live_status: LiveStatus | None = None,
    features: Sequence[ApiContribution] = (),
    cluster_status: ClusterStatus | None = None,
) -> None:
    """Mount the API on ``app``: routes under ``/api`` plus problem+json error handlers."""
    install_problem_handlers(app)
    app.include_router(
        create_api(
            services, live_status=live_status, features=features, cluster_status=cluster_status
        )
    )
