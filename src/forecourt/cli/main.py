"""``forecourt``: the command tree. Each command group lives in its own module, imported only
when one of its commands runs (:mod:`forecourt.cli.lazy`), so ``forecourt --help`` and
``--version`` answer at once."""

from __future__ import annotations

from typing import Annotated

import typer

from forecourt import __version__
from forecourt.cli.lazy import LazyGroup
from forecourt.cli.state import CliState, state_of

app = typer.Typer(
    name="forecourt",
    help="Forecourt: an open-source CSMS for public EV charging (OCPP 1.6J and 2.0.1).",
    no_args_is_help=True,
    cls=LazyGroup,
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
            help="SQLAlchemy URL, e.g. sqlite:///./forecourt.db.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[  # noqa: ARG001  (Typer names the --version option after it; _version acts)
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = None,
) -> None:
    """Global options come before the command: `forecourt --database-url URL stations list`."""
    ctx.obj = CliState(database_url)


@app.command()
def migrate(ctx: typer.Context) -> None:
    """Create or upgrade the database schema (idempotent; run it after every upgrade)."""
    from sqlalchemy.exc import OperationalError

    from forecourt.cli.runtime import console, fail, migrate_database

    url = state_of(ctx).database_url
    try:
        revision = migrate_database(url)
    except OperationalError as exc:
        fail(f"cannot migrate the database at {url}: {exc.orig}")
    console.print(f"database schema at {revision}")


if __name__ == "__main__":
    app()
