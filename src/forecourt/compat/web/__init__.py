""" "My car" on the driver pages: which connectors fit the driver's car, the adapter it needs,
and the expected time from 10 to 80 %, computed on the server by the compatibility service.

Plugged into the web frame by ``install_compat_pages(app, services)`` (after ``install_web``):
a driver hook fills the frame's ``vehicle_options`` and ``compat`` variables; this package's
templates join the frame's loader and fill its slots: ``compat/_advice.html`` the "My car"
answer (``driver.compat``), ``compat/_connector.html`` a line under each plug
(``driver.connector``).  The choice
itself lives in the browser (``driver.js``, localStorage) and in ``?car=`` without JavaScript.
On the operator dashboard a "Stalls" panel on each station page (``pages.py``) lists and edits
the stalls its cables serve; the "My car" answer says which of them the cable reaches.
"""

from __future__ import annotations

from fastapi import FastAPI
from jinja2 import ChoiceLoader, PackageLoader

from forecourt.compat.keys import COMPAT
from forecourt.compat.web import pages
from forecourt.compat.web.hooks import CarAdvice, CompatSlots, ConnectorFit
from forecourt.services.core import Services
from forecourt.web.context import WebContext

__all__ = ["CarAdvice", "CompatSlots", "ConnectorFit", "install_compat_pages"]


def install_compat_pages(app: FastAPI, services: Services) -> None:
    web: WebContext = app.state.web
    environment = web.renderer.environment
    mine = PackageLoader("forecourt.compat.web", "templates")
    loaders = [loader for loader in (environment.loader, mine) if loader is not None]
    environment.loader = ChoiceLoader(loaders)
    web.add_driver_hook(CompatSlots(services.feature(COMPAT)))
    web.add_slot_template("driver.compat", "compat/_advice.html")
    web.add_slot_template("driver.connector", "compat/_connector.html")
    web.add_slot_template("dashboard.station", "compat/_stalls_slot.html")  # operators' stalls
    app.include_router(pages.router)
