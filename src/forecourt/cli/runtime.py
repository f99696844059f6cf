"""What every CLI command shares: options, consoles, running services, turning errors into exits.

Database commands never migrate on their own: a schema change is an operator's decision
(``forecourt migrate``), and a CLI pointed at the wrong URL must not create a database there.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from forecourt.cli.state import CliState as CliState  # re-exported for command modules
from forecourt.cli.state import state_of
from forecourt.domain.errors import ForecourtError, InvalidInput

if TYPE_CHECKING:  # imported where used: they take seconds, and `--help` needs none of them
    from forecourt.domain.commands import Command, CommandResult
    from forecourt.domain.stations import ProtocolVersion
    from forecourt.services.core import Services
    from forecourt.settings import Settings
    from forecourt.storage.database import Database

T = TypeVar("T")

#: Exit codes: 0 done, 1 refused or failed, 2 bad usage (as Typer/Click use it).
EXIT_FAILED = 1
EXIT_USAGE = 2

console = Console(highlight=False, markup=False)
errors = Console(stderr=True, highlight=False, soft_wrap=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    errors.print(Text.assemble(("error: ", "red"), message))
    raise typer.Exit(code)


def print_json(value: Any) -> None:
    # Plain stdout, no Rich wrapping: machines read this.
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False))


class NoStations:
    """The CLI process holds no station connections: commands go through the server."""

    def is_connected(self, _station_id: str) -> bool:
        return False

    def protocol_of(self, _station_id: str) -> ProtocolVersion | None:
        return None

    async def send(self, _station_id: str, _command: Command, _timeout: float) -> CommandResult:
        from forecourt.domain.commands import CommandResult, CommandStatus

        return CommandResult(CommandStatus.OFFLINE, error="use `forecourt command` (server)")

    def connected_ids(self) -> list[str]:
        return []


def with_services(
    ctx: typer.Context,
    work: Callable[[Services], Awaitable[T]],
    *,
    settings: Settings | None = None,
) -> T:
    """Run ``work`` on services over the configured database; domain errors become exits.

    With ``settings``, features build their adapters from them as ``forecourt serve`` does
    (e.g. the configured payment provider); without, they use harmless defaults."""
    import asyncio

    from sqlalchemy.exc import OperationalError

    from forecourt.bootstrap import build_services

    url = state_of(ctx).database_url

    async def run() -> T:
        database = _open(url)
        try:
            await _require_schema(database, url)
            return await work(build_services(database, NoStations(), settings=settings))
        finally:
            await database.dispose()

    try:
        return asyncio.run(run())
    except InvalidInput as exc:
        fail(str(exc), EXIT_USAGE)
    except ForecourtError as exc:
        fail(str(exc))
    except OperationalError as exc:
        fail(f"cannot use the database at {url}: {exc.orig}")


def migrate_database(url: str) -> str:
    """Upgrade the schema (idempotent); return the revision reached."""
    import asyncio

    async def run() -> str:
        database = _open(url)
        try:
            await database.migrate()
            return _revisions(await _current_heads(database))
        finally:
            await database.dispose()

    return asyncio.run(run())


def _open(url: str) -> Database:
    from sqlalchemy.exc import ArgumentError

    from forecourt.bootstrap import open_database
    from forecourt.settings import Settings

    try:
        return open_database(url, sqlite_synchronous=Settings().sqlite_synchronous)
    except (ValueError, ArgumentError) as exc:
        fail(f"cannot use database URL {url!r}: {exc}", EXIT_USAGE)


async def _require_schema(database: Database, url: str) -> None:
    from forecourt.storage.revisions import packaged_heads

    if _missing_sqlite_file(url):
        fail(f"no database at {url}: run `forecourt migrate` first")
    needed = packaged_heads(database.extensions.version_locations)
    current = await _current_heads(database)
    if current != needed:
        state = "has no Forecourt schema" if not current else f"is at {_revisions(current)}"
        fail(
            f"the database {state}, this Forecourt needs {_revisions(needed)}:"
            " run `forecourt migrate` first"
        )


def _revisions(heads: set[str]) -> str:
    return "revision " + " + ".join(sorted(heads))


async def _current_heads(database: Database) -> set[str]:
    from forecourt.storage.revisions import stored_heads

    async with database.engine.connect() as connection:
        return await connection.run_sync(stored_heads)


def _missing_sqlite_file(url: str) -> bool:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return False
    return not path.startswith("file:") and not Path(path).expanduser().exists()
