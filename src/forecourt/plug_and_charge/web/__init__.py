"""The Plug & Charge page of the operator dashboard: trusted roots."""

from __future__ import annotations

from fastapi import FastAPI

from forecourt.plug_and_charge.web import pages
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.web.context import NavItem, WebContext

__all__ = ["install_pages"]


def install_pages(app: FastAPI, _services: Services) -> None:
    web: WebContext = app.state.web
    web.add_templates("forecourt.plug_and_charge.web")
    web.nav.append(NavItem("Plug & Charge", "/dashboard/plug-and-charge", Role.VIEWER))
    app.include_router(pages.router)
