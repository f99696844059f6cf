"""Accounts pages of the operator dashboard: accounts and statements, and the site host's
view of a site's account-billed sessions."""

from __future__ import annotations

from fastapi import FastAPI

from forecourt.accounts.web import pages
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.web.context import NavItem, WebContext

__all__ = ["install_account_pages"]


def install_account_pages(app: FastAPI, _services: Services) -> None:
    web: WebContext = app.state.web
    web.add_templates("forecourt.accounts.web")
    web.nav.append(NavItem("Accounts", "/dashboard/accounts", Role.VIEWER))
    app.include_router(pages.router)
