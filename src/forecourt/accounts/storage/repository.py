"""The accounts rows: accounts, their tokens, billed sites."""

from __future__ import annotations

import builtins
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select

from forecourt.accounts.domain.accounts import Account, AccountKind, BilledSite
from forecourt.accounts.storage.tables import account_tokens, accounts, billed_sites
from forecourt.storage.context import DbContext


class SqlAccountRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add_account(self, account: Account) -> None:
        async with self._db.guarded(f"account {account.id!r}"):
            await self._db.execute(
                accounts.insert().values(
                    id=account.id,
                    name=account.name,
                    kind=account.kind.value,
                    reference=account.reference,
                    created_at=account.created_at,
                )
            )

    async def account(self, account_id: str) -> Account | None:
        query = select(accounts).where(accounts.c.id == account_id)
        row = (await self._db.execute(query)).mappings().first()
        return None if row is None else _account(row)

    async def accounts(self) -> builtins.list[Account]:
        rows = await self._db.execute(select(accounts).order_by(accounts.c.id))
        return [_account(row) for row in rows.mappings()]

    async def add_token(self, account_id: str, token: str, at: datetime) -> None:
        async with self._db.guarded(f"token {token!r} (already held by an account)"):
            await self._db.execute(
                account_tokens.insert().values(token=token, account_id=account_id, added_at=at)
            )

    async def remove_token(self, token: str) -> bool:
        statement = delete(account_tokens).where(account_tokens.c.token == token)
        return bool((await self._db.execute(statement)).rowcount)

    async def tokens(self, account_id: str) -> builtins.list[str]:
        query = (
            select(account_tokens.c.token)
            .where(account_tokens.c.account_id == account_id)
            .order_by(account_tokens.c.token)
        )
        return [str(token) for token in (await self._db.execute(query)).scalars()]

    async def holder(self, token: str) -> str | None:
        query = select(account_tokens.c.account_id).where(account_tokens.c.token == token)
        found = (await self._db.execute(query)).scalar()
        return None if found is None else str(found)

    async def save_site(self, site: BilledSite) -> None:
        values = {"price_per_kwh": str(site.price_per_kwh), "currency": site.currency}
        insert = self._db.insert(billed_sites).values(site_id=site.site_id, **values)
        upsert = insert.on_conflict_do_update(index_elements=[billed_sites.c.site_id], set_=values)
        await self._db.execute(upsert)

    async def remove_site(self, site_id: str) -> bool:
        statement = delete(billed_sites).where(billed_sites.c.site_id == site_id)
        return bool((await self._db.execute(statement)).rowcount)

    async def sites(self) -> builtins.list[BilledSite]:
        rows = await self._db.execute(select(billed_sites).order_by(billed_sites.c.site_id))
        return [
            BilledSite(row["site_id"], Decimal(row["price_per_kwh"]), row["currency"])
            for row in rows.mappings()
        ]


def _account(row: Any) -> Account:
    return Account(
        id=row["id"],
        name=row["name"],
        kind=AccountKind(row["kind"]),
        reference=row["reference"],
        created_at=row["created_at"],
    )
