"""``forecourt doctor``: what stands between a fresh clone and a running Forecourt, each
problem with a one-line fix. ``forecourt demo`` runs the same checks before it starts."""

from __future__ import annotations

import asyncio
import errno
import os
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from forecourt.cli.runtime import EXIT_FAILED
from forecourt.cli.serve import load_settings
from forecourt.cli.state import state_of

if TYPE_CHECKING:  # SQLAlchemy and the storage are imported by the checks: `--help` needs neither
    from forecourt.settings import Settings
    from forecourt.storage.database import Database

#: A database server that does not answer by then is reported unreachable.
CONNECT_TIMEOUT_S = 5.0
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
#: Where the test suite finds PostgreSQL unless FORECOURT_TEST_PG_URL says otherwise.
TEST_PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    blocking: bool = True  # False: only some work needs it (the browser tests)

    def line(self) -> str:
        mark = "ok  " if self.ok else ("FAIL" if self.blocking else "warn")
        text = f"{mark}  {self.name:<9} {self.detail}"
        return text if self.ok else f"{text}\n      fix: {self.fix}"


def run_checks(settings: Settings, *, for_demo: bool = False) -> list[Check]:
    """Every check, in the order a newcomer meets them. ``for_demo``: the demo creates and
    migrates its own database and needs no browser."""
    checks = [asyncio.run(check_database(settings.database_url, for_demo))]
    checks.append(check_port(settings.host, settings.port))
    if not for_demo:
        checks.append(asyncio.run(check_test_postgres()))
        checks.append(check_chromium())
    return checks


def problems(checks: list[Check]) -> list[Check]:
    return [check for check in checks if not check.ok]


async def check_database(url: str, creates_schema: bool) -> Check:
    """Reachable and at the schema this Forecourt needs (PostgreSQL or SQLite)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from forecourt.bootstrap import open_database
    from forecourt.storage.revisions import packaged_heads

    try:
        backend = make_url(url).get_backend_name()
        database = open_database(url)
    except (ArgumentError, ValueError) as exc:
        fix = "set FORECOURT_DATABASE_URL, e.g. sqlite:///./forecourt.db"
        return Check("database", False, f"cannot use {url!r}: {exc}", fix)
    try:
        if backend == "sqlite" and _missing_sqlite_file(url):
            return _no_sqlite_file(url, creates_schema)
        current = await asyncio.wait_for(_current_heads(database), CONNECT_TIMEOUT_S)
    except (TimeoutError, OSError, SQLAlchemyError) as exc:
        detail = f"{_safe(url)} unreachable: {_reason(exc)}"
        return Check("database", False, detail, _reach(backend))
    finally:
        await database.dispose()
    needed = packaged_heads(database.extensions.version_locations)
    if current == needed:
        return Check("database", True, f"{_safe(url)} reachable and migrated")
    if creates_schema:
        return Check("database", True, f"{_safe(url)} reachable; migrated at start")
    state = "has no Forecourt schema" if not current else "is at an older schema"
    return Check("database", False, f"{_safe(url)} {state}", "run `forecourt migrate`")


def check_port(host: str, port: int) -> Check:
    """Free to listen on (a socket in TIME_WAIT from the last run does not count)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fix = (
                    f"stop what listens there (`ss -ltnp 'sport = :{port}'`) "
                    "or choose another port (--port N or FORECOURT_PORT)"
                )
                return Check("port", False, f"{host}:{port} is already in use", fix)
            fix = "set FORECOURT_HOST to an address of this machine, e.g. 127.0.0.1"
            return Check("port", False, f"cannot listen on {host}:{port}: {exc.strerror}", fix)
    return Check("port", True, f"{host}:{port} is free")


async def check_test_postgres() -> Check:
    """`make test` runs every storage test on a real PostgreSQL too (a warning only)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.ext.asyncio import create_async_engine

    url = os.environ.get("FORECOURT_TEST_PG_URL", TEST_PG_DEFAULT)
    async_url = make_url(url).set(drivername="postgresql+asyncpg")
    engine = create_async_engine(async_url, connect_args={"timeout": CONNECT_TIMEOUT_S})
    try:
        async with engine.connect():
            pass
    except (TimeoutError, OSError, SQLAlchemyError) as exc:
        fix = (
            "sudo service postgresql start, or point FORECOURT_TEST_PG_URL at an admin URL "
            "(only `make test` needs it)"
        )
        detail = f"{_safe(url)} unreachable: {_reason(exc)}"
        return Check("test db", False, detail, fix, blocking=False)
    finally:
        await engine.dispose()
    return Check("test db", True, f"{_safe(url)} (for the PostgreSQL tests)")


def check_chromium() -> Check:
    found = next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)
    if found:
        return Check("chromium", True, f"{found} (for the browser tests)")
    fix = "sudo apt-get install chromium   (only the browser tests need it)"
    return Check("chromium", False, "no Chromium found", fix, blocking=False)


async def _current_heads(database: Database) -> set[str]:
    from forecourt.storage.revisions import stored_heads

    async with database.engine.connect() as connection:
        return await connection.run_sync(stored_heads)


def _missing_sqlite_file(url: str) -> bool:
    from sqlalchemy.engine import make_url

    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return False
    return not Path(path).expanduser().exists()


def _no_sqlite_file(url: str, creates_schema: bool) -> Check:
    from sqlalchemy.engine import make_url

    folder = Path(make_url(url).database or ".").expanduser().parent
    if creates_schema and (not folder.exists() or _writable(folder)):
        return Check("database", True, f"{_safe(url)} will be created at start")
    if not creates_schema:
        return Check("database", False, f"no database at {_safe(url)}", "run `forecourt migrate`")
    fix = f"make {folder} writable or set FORECOURT_DATABASE_URL to a writable path"
    return Check("database", False, f"cannot create {_safe(url)}", fix)


def _writable(folder: Path) -> bool:
    probe = folder / ".forecourt-doctor"
    try:
        probe.touch()
        probe.unlink()
    except OSError:
        return False
    return True


def _reach(backend: str) -> str:
    if backend == "postgresql":
        return (
            "start PostgreSQL (e.g. `sudo service postgresql start`) or check host, port and "
            "user in FORECOURT_DATABASE_URL"
        )
    return "check the path in FORECOURT_DATABASE_URL"


def _safe(url: str) -> str:
    """The URL without its password (never print secrets)."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {CONNECT_TIMEOUT_S:.0f} s"
    orig = getattr(exc, "orig", None)
    return str(orig or exc).splitlines()[0] if str(orig or exc) else type(exc).__name__


def doctor(
    ctx: typer.Context,
    port: Annotated[int | None, typer.Option(help="The port `forecourt serve` will use.")] = None,
) -> None:
    """Check this machine for Forecourt: database reachable and migrated, port free, Chromium
    (browser tests). Prints a fix for each problem; exit status 1 if one blocks serving."""
    settings = load_settings(database_url=state_of(ctx).database_url, port=port)
    checks = run_checks(settings)
    for check in checks:
        typer.echo(check.line())
    if any(check.blocking for check in problems(checks)):
        raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    app.command()(doctor)
