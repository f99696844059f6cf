"""``forecourt transactions ...``: charging sessions, straight from the database."""

from __future__ import annotations

from typing import Annotated

import typer

from forecourt.cli import render
from forecourt.cli.runtime import JsonFlag, print_json, with_services
from forecourt.domain.limits import INT32_MAX, INT64_MAX
from forecourt.domain.transactions import TransactionState

transactions_app = typer.Typer(help="Charging transactions.", no_args_is_help=True)


@transactions_app.command("list")
def list_transactions(
    ctx: typer.Context,
    station: Annotated[str | None, typer.Option(help="Only this station's.")] = None,
    state: Annotated[TransactionState | None, typer.Option(help="active or ended.")] = None,
    token: Annotated[str | None, typer.Option(help="Only those of this token.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many.")] = 50,
    offset: Annotated[int, typer.Option(min=0, max=INT64_MAX, help="Skip the newest N.")] = 0,
    as_json: JsonFlag = False,
) -> None:
    """List transactions, newest first."""
    from forecourt.api.schemas import TransactionOut  # API models and ports: where used only
    from forecourt.ports.repositories import TransactionFilter
    from forecourt.services.access import Role  # the CLI has the database: an admin

    flt = TransactionFilter(station, state, token, limit=limit, offset=offset)
    found, total = with_services(ctx, lambda s: s.history.list(flt))
    items = [TransactionOut.from_domain(tx, Role.ADMIN) for tx in found]
    if as_json:
        print_json(
            {
                "items": [item.model_dump(mode="json") for item in items],
                "total": total,
                "limit": limit,
                "offset": offset,
            }
        )
    else:
        render.transactions(items, total)


@transactions_app.command("show")
def show_transaction(
    ctx: typer.Context,
    transaction_id: Annotated[
        int, typer.Argument(min=1, max=INT32_MAX, metavar="ID", help="Forecourt's number.")
    ],
    as_json: JsonFlag = False,
) -> None:
    """A transaction with its meter samples."""
    from forecourt.api.schemas import TransactionDetailOut
    from forecourt.services.access import Role

    detail = with_services(ctx, lambda s: s.history.detail(transaction_id))
    item = TransactionDetailOut.of(detail.transaction, list(detail.samples), Role.ADMIN)
    if as_json:
        print_json(item.model_dump(mode="json"))
    else:
        render.transaction(item)


def register(app: typer.Typer) -> None:
    app.add_typer(transactions_app, name="transactions")
