"""Accounts pages of the operator dashboard: accounts and statements, and the site host's
view of a site's account-billed sessions."""

from __future__ import annotations

from fastapi import FastAPI
from jinja2 import ChoiceLoader, PackageLoader

from forecourt.accounts.web import pages
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.web.context import NavItem, WebContext

__all__ = ["install_account_pages"]


def install_account_pages(app: FastAPI, _services: Services) -> None:
    web: WebContext = app.state.web
    environment = web.renderer.environment
    mine = PackageLoader("forecourt.accounts.web", "templates")
    loaders = [loader for loader in (environment.loader, mine) if loader is not None]
    environment.loader = ChoiceLoader(loaders)
    web.nav.append(NavItem("Accounts", "/dashboard/accounts", Role.VIEWER))
    app.include_router(pages.router)
