"""Payment pages: scan-to-pay, the test provider's card page, the live session, receipts, and
the operator's payments and tariffs views. Plugged into the web frame by
``install_payment_pages(app, services)`` (after ``install_web``):

* its templates join the frame's loader (they extend ``base.html`` and the dashboard layout);
* the driver pages' price and pay slots are filled by a driver hook;
* "Payments" and "Tariffs" join the dashboard navigation, "Counter" (the attendant's console)
  too for attendants and up.
"""

from __future__ import annotations

from fastapi import FastAPI
from jinja2 import ChoiceLoader, PackageLoader

from forecourt.payments.keys import PAYMENTS
from forecourt.payments.web import counter, driver, operator, qr
from forecourt.payments.web.hooks import PaymentSlots
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.web.context import NavItem, WebContext

__all__ = ["install_payment_pages"]


def install_payment_pages(app: FastAPI, services: Services) -> None:
    web: WebContext = app.state.web
    environment = web.renderer.environment
    mine = PackageLoader("forecourt.payments.web", "templates")
    loaders = [loader for loader in (environment.loader, mine) if loader is not None]
    environment.loader = ChoiceLoader(loaders)
    web.add_driver_hook(PaymentSlots(services.feature(PAYMENTS)))
    web.add_slot_template("dashboard.session", "payments/_session_slot.html")
    web.nav.append(NavItem("Payments", "/dashboard/payments", Role.VIEWER))
    web.nav.append(NavItem("Tariffs", "/dashboard/tariffs", Role.VIEWER))
    web.nav.append(NavItem("Counter", "/dashboard/counter", Role.ATTENDANT))
    app.include_router(qr.router)  # before the driver routes: /pay/{station}/{evse}/qr.svg
    app.include_router(driver.router)
    app.include_router(operator.router)
    app.include_router(counter.router)
