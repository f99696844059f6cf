"""Operator dashboard and public driver pages, server-rendered from the same ASGI app.

``install_web(app, services, settings)`` mounts the dashboard (``/dashboard/...``, ``/login``),
the driver pages (``/s/{site_id}``) and the static files (``/static``). Everything is in
this package: templates, CSS, our small scripts and the vendored htmx; nothing is loaded from
the internet. How to add a page: ``docs/web.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.settings import Settings
from forecourt.web.context import NavItem, WebContext
from forecourt.web.rendering import STATIC_DIR, STATIC_PREFIX
from forecourt.web.routes import (
    cluster,
    commands,
    device,
    drift,
    driver,
    live,
    login,
    manage,
    overview,
    reservations,
    sessions,
    stations,
)

__all__ = ["WebContext", "install_web"]

log = logging.getLogger("forecourt.web")

#: Every web router; a new page adds its module here.
ROUTERS = (
    *(login, overview, stations, device, drift, commands, sessions, manage, live, driver),
    reservations,
    cluster,
)


def install_web(
    app: FastAPI,
    services: Services,
    settings: Settings,
    cluster_status: Callable[[], dict[str, Any]] | None = None,
) -> None:
    """Mount the web pages on ``app``; ``app.state.web`` is the ``WebContext`` (hooks, nav).
    ``cluster_status``: the cluster's nodes and stations (cluster mode), for its page."""
    if settings.uses_default_secret_key:  # `forecourt serve` refuses it; tests embed the app
        log.warning("FORECOURT_SECRET_KEY is the default: anyone can forge dashboard sessions")
    app.state.web = web = WebContext(services, settings)
    if cluster_status is not None:
        web.cluster_status = cluster_status
        web.nav.append(NavItem("Cluster", "/dashboard/cluster", Role.VIEWER, network_wide=True))
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="static")
    for module in ROUTERS:
        app.include_router(module.router)
