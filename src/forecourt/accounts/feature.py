"""Billing accounts as a feature slice (ADR 0009)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecourt.accounts.keys import ACCOUNTS
from forecourt.extension import CliCommand, Feature, Host, RepositoryFactory
from forecourt.ports.keys import Key

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI

    from forecourt.accounts.services.accounts import Accounts
    from forecourt.services.core import Services
    from forecourt.settings import Settings
    from forecourt.storage.context import DbContext
    from forecourt.web.scope import Reach

MIGRATIONS = Path(__file__).parent / "storage" / "migrations"  # its Alembic branch


class AccountsFeature(Feature["Accounts"]):
    def repositories(self) -> Mapping[Key[Any], RepositoryFactory]:
        from forecourt.accounts.ports import ACCOUNTS_STORE

        return {ACCOUNTS_STORE: _store}

    def load_tables(self) -> None:
        import forecourt.accounts.storage.tables  # noqa: F401

    def build(self, host: Host) -> Accounts:
        from forecourt.accounts.services.accounts import Accounts

        return Accounts(host.ctx)

    def install_api(self, router: APIRouter, _services: Services) -> None:
        from forecourt.accounts.api import routes

        router.include_router(routes.router)

    def page_reach(self) -> Mapping[str, Reach]:
        from forecourt.web.scope import Reach

        return {
            "GET /dashboard/accounts": Reach.NETWORK,
            "GET /dashboard/accounts/{account_id}": Reach.NETWORK,
            "GET /dashboard/sites/{site_id}/accounts": Reach.SITES,
        }

    def install_web(self, app: FastAPI, services: Services, _settings: Settings) -> None:
        from forecourt.accounts.web import install_account_pages

        install_account_pages(app, services)


FEATURE = AccountsFeature(
    name="accounts",
    key=ACCOUNTS,
    migrations=MIGRATIONS,
    commands={
        "accounts": CliCommand(
            "forecourt.accounts.cli.commands",
            "Billing accounts: tokens, account-billed sites, monthly statements.",
        ),
    },
)


def _store(db: DbContext) -> object:
    from forecourt.accounts.storage.repository import SqlAccountRepository

    return SqlAccountRepository(db)
