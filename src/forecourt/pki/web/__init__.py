"""PKI pages of the operator dashboard: the CA and every issued certificate, and a
"Certificates" panel on each station page (its profile, certificates, expiry). Plugged in by
``install_pki_pages(app)``.
"""

from __future__ import annotations

from fastapi import FastAPI
from jinja2 import ChoiceLoader, PackageLoader

from forecourt.pki.web import pages
from forecourt.services.access import Role
from forecourt.web.context import NavItem, WebContext

__all__ = ["install_pki_pages"]


def install_pki_pages(app: FastAPI) -> None:
    web: WebContext = app.state.web
    environment = web.renderer.environment
    mine = PackageLoader("forecourt.pki.web", "templates")
    loaders = [loader for loader in (environment.loader, mine) if loader is not None]
    environment.loader = ChoiceLoader(loaders)
    web.nav.append(NavItem("Certificates", "/dashboard/pki", Role.VIEWER, network_wide=True))
    web.add_slot_template("dashboard.station", "dashboard/_pki_slot.html")
    app.include_router(pages.router)
