"""Reliability pages of the operator dashboard: open tickets with their SLA clocks, active
faults and this month's NEVI uptime; one ticket with its history and workflow buttons; a
"port health" panel on each station page. Plugged into the web frame by
``install_reliability_pages(app)`` (after ``install_web``), as docs/web.md describes.
"""

from __future__ import annotations

from fastapi import FastAPI
from jinja2 import ChoiceLoader, PackageLoader

from forecourt.reliability.web import pages
from forecourt.services.access import Role
from forecourt.web.context import NavItem, WebContext

__all__ = ["install_reliability_pages"]


def install_reliability_pages(app: FastAPI) -> None:
    web: WebContext = app.state.web
    environment = web.renderer.environment
    mine = PackageLoader("forecourt.reliability.web", "templates")
    loaders = [loader for loader in (environment.loader, mine) if loader is not None]
    environment.loader = ChoiceLoader(loaders)
    web.nav.append(NavItem("Reliability", "/dashboard/reliability", Role.VIEWER))
    web.add_slot_template("dashboard.station", "dashboard/_reliability_slot.html")
    app.include_router(pages.router)
