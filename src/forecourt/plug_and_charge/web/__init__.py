"""The Plug & Charge page of the operator dashboard: trusted roots and the pool."""

from __future__ import annotations

from fastapi import FastAPI
from jinja2 import ChoiceLoader, PackageLoader

from forecourt.plug_and_charge.web import pages
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.web.context import NavItem, WebContext

__all__ = ["install_pages"]


def install_pages(app: FastAPI, _services: Services) -> None:
    web: WebContext = app.state.web
    environment = web.renderer.environment
    mine = PackageLoader("forecourt.plug_and_charge.web", "templates")
    loaders = [loader for loader in (environment.loader, mine) if loader is not None]
    environment.loader = ChoiceLoader(loaders)
    web.nav.append(NavItem("Plug & Charge", "/dashboard/plug-and-charge", Role.VIEWER))
    app.include_router(pages.router)
