"""Load-management pages of the operator dashboard: the managed sites, and each site's
section with its limit, the allocation per EVSE and the measured site power (live)."""

from __future__ import annotations

from fastapi import FastAPI
from jinja2 import ChoiceLoader, PackageLoader

from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.smart_charging.web import pages
from forecourt.web.context import NavItem, WebContext

__all__ = ["install_load_pages"]


def install_load_pages(app: FastAPI, _services: Services) -> None:
    web: WebContext = app.state.web
    environment = web.renderer.environment
    mine = PackageLoader("forecourt.smart_charging.web", "templates")
    loaders = [loader for loader in (environment.loader, mine) if loader is not None]
    environment.loader = ChoiceLoader(loaders)
    web.nav.append(NavItem("Load", "/dashboard/load", Role.VIEWER))
    app.include_router(pages.router)
