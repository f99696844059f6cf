"""The roaming page of the operator dashboard, and amenities on the driver pages."""

from __future__ import annotations

from fastapi import FastAPI
from jinja2 import ChoiceLoader, PackageLoader

from forecourt.ocpi.web import pages
from forecourt.ocpi.web.driver import AmenitySlots
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.web.context import NavItem, WebContext

__all__ = ["install_roaming_page"]


def install_roaming_page(app: FastAPI, services: Services) -> None:
    web: WebContext = app.state.web
    environment = web.renderer.environment
    mine = PackageLoader("forecourt.ocpi.web", "templates")
    loaders = [loader for loader in (environment.loader, mine) if loader is not None]
    environment.loader = ChoiceLoader(loaders)
    web.nav.append(NavItem("Roaming", "/dashboard/roaming", Role.VIEWER))
    web.add_driver_hook(AmenitySlots(services))
    web.add_slot_template("driver.page", "driver/_amenities.html")
    app.include_router(pages.router)
