"""The accounts service on SQLite and PostgreSQL: tokens held once, billed sites, and the
statement read from the core's ended transactions (only those at billed sites)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from forecourt.accounts.domain.accounts import Account, AccountKind, BilledSite, Month
from forecourt.accounts.keys import ACCOUNTS
from forecourt.bootstrap import build_services
from forecourt.domain.errors import Conflict, InvalidInput, NotFound
from forecourt.domain.stations import Site
from forecourt.domain.tokens import TokenKind, TokenRecord
from forecourt.domain.transactions import Transaction, TransactionState
from forecourt.services.core import Services
from forecourt.storage.database import Database
from tests.storage.conftest import (  # noqa: F401  (run on both databases)
    database,
    database_url,
    postgres_url,
    sqlite_template,
)
from tests.support.harness import OfflineGateway, SteppingClock

DEC = datetime(2026, 12, 3, 18, tzinfo=UTC)


async def _ended(services: Services, station: str, token: str, at: datetime, wh: float) -> None:
    async with services.ctx.uow() as uow:
        await uow.transactions.add(
            Transaction(station, 1, 1, at, station_tx_id=f"{station}-{at:%d%H}", id_token=token,
                        meter_start_wh=1000.0, meter_stop_wh=1000.0 + wh, energy_wh=wh,
                        state=TransactionState.ENDED, stopped_at=at + timedelta(hours=2))
        )  # fmt: skip
        await uow.commit()


async def test_statement_on_both_databases(database: Database) -> None:  # noqa: F811
    services = build_services(database, OfflineGateway(), clock=SteppingClock())
    accounts = services.feature(ACCOUNTS)
    for site in ("kerb", "depot"):
        await services.network.add_site(Site(site, site))
        await services.network.add_station(f"AC-{site}", site_id=site)
    await services.network.add_token(TokenRecord("DEFCOC0000001A", TokenKind.EMAID))
    await services.network.add_token(TokenRecord("00:1a:2b:3c:4d:5e", TokenKind.MAC_ADDRESS))
    await accounts.create(Account("util-1", "Flat 3", AccountKind.UTILITY, "CUST-1"))
    await accounts.create(Account("fleet-9", "Vans", AccountKind.FLEET))
    await accounts.add_token("util-1", "DEFCOC0000001A")
    await accounts.add_token("util-1", "001A2B3C4D5E")
    with pytest.raises(Conflict):
        await accounts.add_token("fleet-9", "DEFCOC0000001A")  # one account per token
    with pytest.raises(NotFound):
        await accounts.add_token("util-1", "NOT-REGISTERED")
    await accounts.bill_site(BilledSite("kerb", Decimal("0.32"), "EUR"))
    with pytest.raises(InvalidInput):
        await accounts.bill_site(BilledSite("kerb", Decimal("0.32"), "euro"))
    with pytest.raises(NotFound):
        await accounts.bill_site(BilledSite("nowhere", Decimal("0.32"), "EUR"))

    await _ended(services, "AC-kerb", "DEFCOC0000001A", DEC, 7_412.0)
    await _ended(services, "AC-kerb", "001A2B3C4D5E", DEC + timedelta(days=1), 3_000.0)
    await _ended(services, "AC-depot", "DEFCOC0000001A", DEC, 9_999.0)  # not account-billed
    await _ended(services, "AC-kerb", "DEFCOC0000001A", DEC + timedelta(days=30), 1.0)  # January

    statement = await accounts.statement("util-1", Month(2026, 12))
    assert [(line.token, str(line.energy_kwh), str(line.cost)) for line in statement.lines] == [
        ("DEFCOC0000001A", "7.412", "2.37"), ("001A2B3C4D5E", "3.000", "0.96")
    ]  # fmt: skip
    assert statement.totals == {"EUR": Decimal("3.33")}
    assert statement.sites == ["kerb"]
    assert (await accounts.statement("fleet-9", Month(2026, 12))).lines == ()
    host_view = await accounts.site_lines("kerb", Month(2026, 12))
    assert [s.account.id for s in host_view] == ["util-1"]

    await accounts.remove_token("util-1", "001A2B3C4D5E")
    with pytest.raises(NotFound):
        await accounts.remove_token("fleet-9", "DEFCOC0000001A")  # held by another account
    assert len((await accounts.statement("util-1", Month(2026, 12))).lines) == 1
    await accounts.unbill_site("kerb")
    assert (await accounts.statement("util-1", Month(2026, 12))).lines == ()
