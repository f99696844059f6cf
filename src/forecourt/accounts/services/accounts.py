"""Billing accounts: create them, give them tokens, bill sites to them, and the monthly
statement (a session belongs to the month it started in, UTC).

Nothing is copied at session end: a statement is read from the core's transactions, so a
session is never lost or counted twice, and a late StopTransaction is on the next read.
"""

from __future__ import annotations

from decimal import Decimal

from forecourt.accounts.domain.accounts import (
    ACCOUNT_ID,
    CURRENCY,
    Account,
    BilledSite,
    Month,
    Statement,
    StatementLine,
    line_cost,
)
from forecourt.accounts.ports import ACCOUNTS_STORE
from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.domain.transactions import Transaction, TransactionState
from forecourt.ports.repositories import TransactionFilter, UnitOfWork
from forecourt.services.context import ServiceContext

PAGE = 500
MAX_PRICE = Decimal(1000)


class Accounts:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def create(self, account: Account) -> Account:
        if not ACCOUNT_ID.match(account.id):
            raise InvalidInput("an account id is 1-64 letters, digits, '.', '_' or '-'")
        if not account.name.strip():
            raise InvalidInput("an account needs a name")
        created = Account(
            account.id, account.name, account.kind, account.reference, self._ctx.clock.now()
        )
        async with self._ctx.uow() as uow:
            await uow.repository(ACCOUNTS_STORE).add_account(created)
            await uow.commit()
        return created

    async def all(self) -> list[Account]:
        async with self._ctx.uow() as uow:
            return await uow.repository(ACCOUNTS_STORE).accounts()

    async def get(self, account_id: str) -> tuple[Account, list[str]]:
        """The account and the tokens it holds."""
        async with self._ctx.uow() as uow:
            account = await _account(uow, account_id)
            return account, await uow.repository(ACCOUNTS_STORE).tokens(account_id)

    async def add_token(self, account_id: str, token: str) -> None:
        """Hold a registered token (eMAID, RFID, Autocharge MAC); one account per token."""
        async with self._ctx.uow() as uow:
            await _account(uow, account_id)
            if await uow.tokens.get(token) is None:
                raise NotFound("token", token)
            await uow.repository(ACCOUNTS_STORE).add_token(account_id, token, self._ctx.clock.now())
            await uow.commit()

    async def remove_token(self, account_id: str, token: str) -> None:
        async with self._ctx.uow() as uow:
            store = uow.repository(ACCOUNTS_STORE)
            if await store.holder(token) != account_id or not await store.remove_token(token):
                raise NotFound("token of this account", token)
            await uow.commit()

    async def bill_site(self, site: BilledSite) -> BilledSite:
        """Bill a site's account-token sessions to their accounts at this energy price."""
        if not CURRENCY.match(site.currency):
            raise InvalidInput("currency must be an ISO 4217 code such as EUR")
        if not Decimal(0) <= site.price_per_kwh <= MAX_PRICE:
            raise InvalidInput(f"price_per_kwh must be between 0 and {MAX_PRICE}")
        async with self._ctx.uow() as uow:
            if await uow.sites.get(site.site_id) is None:
                raise NotFound("site", site.site_id)
            await uow.repository(ACCOUNTS_STORE).save_site(site)
            await uow.commit()
        return site

    async def unbill_site(self, site_id: str) -> None:
        async with self._ctx.uow() as uow:
            if not await uow.repository(ACCOUNTS_STORE).remove_site(site_id):
                raise NotFound("account-billed site", site_id)
            await uow.commit()

    async def billed_sites(self) -> list[BilledSite]:
        async with self._ctx.uow() as uow:
            return await uow.repository(ACCOUNTS_STORE).sites()

    async def statement(self, account_id: str, month: Month) -> Statement:
        """Every ended session of the account's tokens at account-billed sites that month."""
        async with self._ctx.uow() as uow:
            account = await _account(uow, account_id)
            store = uow.repository(ACCOUNTS_STORE)
            sites = {site.site_id: site for site in await store.sites()}
            lines: list[StatementLine] = []
            site_of: dict[str, str | None] = {}
            for token in await store.tokens(account_id):
                for tx in await _ended_sessions(uow, token, month):
                    if tx.station_id not in site_of:
                        station = await uow.stations.get(tx.station_id)
                        site_of[tx.station_id] = None if station is None else station.site_id
                    site = sites.get(site_of[tx.station_id] or "")
                    if site is not None:
                        lines.append(_line(tx, token, site))
        lines.sort(key=lambda line: (line.started_at, line.transaction_id))
        return Statement(account, month, tuple(lines))

    async def site_lines(self, site_id: str, month: Month) -> list[Statement]:
        """The site host's view: each account's statement, cut to this site's sessions."""
        cut = []
        for account in await self.all():
            statement = await self.statement(account.id, month)
            lines = tuple(line for line in statement.lines if line.site_id == site_id)
            if lines:
                cut.append(Statement(account, month, lines))
        return cut


async def _account(uow: UnitOfWork, account_id: str) -> Account:
    account = await uow.repository(ACCOUNTS_STORE).account(account_id)
    if account is None:
        raise NotFound("account", account_id)
    return account


async def _ended_sessions(uow: UnitOfWork, token: str, month: Month) -> list[Transaction]:
    found: list[Transaction] = []
    while True:
        flt = TransactionFilter(
            state=TransactionState.ENDED,
            id_token=token,
            since=month.start,
            until=month.end,
            limit=PAGE,
            offset=len(found),
        )
        page = await uow.transactions.list(flt)
        found.extend(page)
        if len(page) < PAGE:
            return found


def _line(tx: Transaction, token: str, site: BilledSite) -> StatementLine:
    energy_kwh, cost = line_cost(tx.energy_wh, site)
    return StatementLine(
        transaction_id=tx.id,
        site_id=site.site_id,
        station_id=tx.station_id,
        evse_id=tx.evse_id,
        token=token,
        started_at=tx.started_at,
        stopped_at=tx.stopped_at,
        meter_start_wh=tx.meter_start_wh,
        meter_stop_wh=tx.meter_stop_wh,
        energy_kwh=energy_kwh,
        price_per_kwh=site.price_per_kwh,
        cost=cost,
        currency=site.currency,
    )
