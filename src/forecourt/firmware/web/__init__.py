"""Firmware pages of the operator dashboard: campaigns (list, detail with per-station status,
pause/resume/cancel/roll back) and a "Firmware and logs" panel on each station page (the
core's firmware state and log uploads). Plugged in by ``install_firmware_pages(app)``.
"""

from __future__ import annotations

from fastapi import FastAPI
from jinja2 import ChoiceLoader, PackageLoader

from forecourt.firmware.web import pages
from forecourt.services.access import Role
from forecourt.web.context import NavItem, WebContext

__all__ = ["install_firmware_pages"]


def install_firmware_pages(app: FastAPI) -> None:
    web: WebContext = app.state.web
    environment = web.renderer.environment
    mine = PackageLoader("forecourt.firmware.web", "templates")
    loaders = [loader for loader in (environment.loader, mine) if loader is not None]
    environment.loader = ChoiceLoader(loaders)
    web.nav.append(NavItem("Firmware", "/dashboard/firmware", Role.VIEWER, network_wide=True))
    web.add_slot_template("dashboard.station", "dashboard/_firmware_slot.html")
    app.include_router(pages.router)
