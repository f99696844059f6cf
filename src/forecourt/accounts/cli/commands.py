"""``forecourt accounts ...``: billing accounts, their tokens, billed sites, statements.

Works on the configured database (as ``forecourt tokens`` does). Exit codes: 0 done,
1 failed (not found, conflict), 2 bad usage.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer

from forecourt.accounts.domain.accounts import Account, AccountKind, BilledSite, Month
from forecourt.accounts.keys import ACCOUNTS
from forecourt.cli import render
from forecourt.cli.runtime import EXIT_USAGE, JsonFlag, console, fail, print_json, with_services

accounts_app = typer.Typer(
    help="Billing accounts: tokens, account-billed sites, monthly statements.",
    no_args_is_help=True,
)

AccountArg = Annotated[str, typer.Argument(metavar="ACCOUNT", help="The account's id.")]
SiteArg = Annotated[str, typer.Argument(metavar="SITE", help="The site's id.")]


def register(app: typer.Typer) -> None:
    app.add_typer(accounts_app, name="accounts")


@accounts_app.command("create")
def create(
    ctx: typer.Context,
    account_id: AccountArg,
    name: Annotated[str, typer.Option(help="Who is billed.")],
    kind: Annotated[AccountKind, typer.Option(help="What bills it.")] = AccountKind.UTILITY,
    reference: Annotated[str, typer.Option(help="Customer number or unit.")] = "",
) -> None:
    """Open a billing account."""
    account = Account(account_id, name, kind, reference)
    with_services(ctx, lambda s: s.feature(ACCOUNTS).create(account))
    console.print(f"account {account_id} opened")


@accounts_app.command("list")
def list_accounts(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Every billing account."""
    found = with_services(ctx, lambda s: s.feature(ACCOUNTS).all())
    rows = [(a.id, a.name, a.kind.value, a.reference) for a in found]
    if as_json:
        print_json([dict(zip(("id", "name", "kind", "reference"), r, strict=True)) for r in rows])
    else:
        render.table("Accounts", ("Account", "Name", "Kind", "Reference"), rows)


@accounts_app.command("add-token")
def add_token(ctx: typer.Context, account_id: AccountArg, token: str) -> None:
    """Give the account a registered token (eMAID, RFID card, Autocharge MAC)."""
    with_services(ctx, lambda s: s.feature(ACCOUNTS).add_token(account_id, token))
    console.print(f"token {token} billed to account {account_id}")


@accounts_app.command("remove-token")
def remove_token(ctx: typer.Context, account_id: AccountArg, token: str) -> None:
    """Take a token off the account."""
    with_services(ctx, lambda s: s.feature(ACCOUNTS).remove_token(account_id, token))
    console.print(f"token {token} removed from account {account_id}")


@accounts_app.command("bill-site")
def bill_site(
    ctx: typer.Context,
    site_id: SiteArg,
    price: Annotated[str, typer.Option(help="Energy price per kWh, e.g. 0.35.")],
    currency: Annotated[str, typer.Option(help="ISO 4217 code.")] = "EUR",
) -> None:
    """Bill the site's account-token sessions to their accounts."""
    try:
        site = BilledSite(site_id, Decimal(price), currency)
    except InvalidOperation:
        fail(f"--price must be a decimal number, got {price!r}", EXIT_USAGE)
    with_services(ctx, lambda s: s.feature(ACCOUNTS).bill_site(site))
    console.print(f"site {site_id} billed to accounts at {price} {currency}/kWh")


@accounts_app.command("unbill-site")
def unbill_site(ctx: typer.Context, site_id: SiteArg) -> None:
    """Stop billing the site to accounts."""
    with_services(ctx, lambda s: s.feature(ACCOUNTS).unbill_site(site_id))
    console.print(f"site {site_id} no longer billed to accounts")


@accounts_app.command("statement")
def statement(
    ctx: typer.Context,
    account_id: AccountArg,
    month: Annotated[str, typer.Argument(metavar="YYYY-MM", help="The month (UTC).")],
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Write the CSV statement to this file.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """The account's monthly statement: sessions, meter readings, energy, cost, sites."""
    from forecourt.accounts.services.statements import statement_csv, statement_json

    try:
        period = Month.parse(month)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    found = with_services(ctx, lambda s: s.feature(ACCOUNTS).statement(account_id, period))
    if csv_file is not None:
        csv_file.write_text(statement_csv(found))
    if as_json:
        print_json(statement_json(found))
        return
    rows = [
        (line.transaction_id, line.site_id, line.station_id, line.token,
         f"{line.energy_kwh} kWh", f"{line.cost} {line.currency}")
        for line in found.lines
    ]  # fmt: skip
    render.table(f"Statement {account_id} {period}", ("Session", "Site", "Station", "Token",
                 "Energy", "Cost"), rows)  # fmt: skip
    totals = ", ".join(f"{total} {currency}" for currency, total in found.totals.items())
    console.print(f"{len(found.lines)} sessions, {found.energy_kwh} kWh, {totals or 'nothing'}")
