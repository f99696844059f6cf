"""``forecourt``: the command tree. Database commands run here; station commands go through
the server (``forecourt command``); the other modules (``serve``/``demo``, ``simulate``,
``users``, ``compat``, ``payments``, connector ``retrofit``) register themselves."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from forecourt import __version__
from forecourt.cli import (
    compat,
    doctor,
    payments,
    reliability,
    retrofit,
    serve,
    simulate,
    users,
)
from forecourt.cli.apikeys import apikeys_app
from forecourt.cli.network import connectors_app, sites_app, stations_app
from forecourt.cli.remote import command_app
from forecourt.cli.runtime import CliState, console, fail, migrate_database, state_of
from forecourt.cli.tokens import tokens_app
from forecourt.cli.transactions import transactions_app
from forecourt.settings import Settings

app = typer.Typer(
    name="forecourt",
    help="Forecourt: an open-source CSMS for public EV charging (OCPP 1.6J and 2.0.1).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # never print secrets held in local variables
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"forecourt {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(
            envvar="FORECOURT_DATABASE_URL",
            help="SQLAlchemy URL, e.g. sqlite+aiosqlite:///./forecourt.db.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = None,
) -> None:
    """Global options come before the command: `forecourt --database-url URL stations list`."""
    ctx.obj = CliState(database_url or Settings().database_url)


@app.command()
def migrate(ctx: typer.Context) -> None:
    """Create or upgrade the database schema (idempotent; run it after every upgrade)."""
    url = state_of(ctx).database_url
    try:
        revision = migrate_database(url)
    except OperationalError as exc:
        fail(f"cannot migrate the database at {url}: {exc.orig}")
    console.print(f"database schema at {revision}")


app.add_typer(sites_app, name="sites")
app.add_typer(stations_app, name="stations")
app.add_typer(connectors_app, name="connectors")
app.add_typer(tokens_app, name="tokens")
app.add_typer(transactions_app, name="transactions")
app.add_typer(apikeys_app, name="apikeys")
app.add_typer(command_app, name="command")
retrofit.register(connectors_app)
serve.register(app)
simulate.register(app)
users.register(app)
compat.register(app)
payments.register(app)
reliability.register(app)
doctor.register(app)

if __name__ == "__main__":
    app()
