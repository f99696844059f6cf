"""Dashboard users: the repository (SQLite and PostgreSQL), the service's rules, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from forecourt.cli.runtime import CliState
from forecourt.cli.users import register
from forecourt.domain.errors import Conflict, InvalidInput, NotFound
from forecourt.domain.stations import Site
from forecourt.features import storage_extensions
from forecourt.ports.users import User
from forecourt.services.access import Role
from forecourt.services.users import PER_ACCOUNT, UserAccess
from forecourt.storage import Database, migrate_sync
from tests.support.harness import SteppingClock, make_services

PASSWORD = "s3cret-enough"
T0 = SteppingClock().now()


async def test_repository_round_trip(database: Database) -> None:
    async with database.unit_of_work() as uow:
        host = await uow.users.add("host", "hash-1", "viewer", ("north", "south"), T0)
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert await uow.users.get(host.id) == host
        assert await uow.users.by_username("host") == host
        assert await uow.users.by_username("nobody") is None
        await uow.users.save(User(host.id, "host", "hash-2", "operator", (), T0, disabled=True))
        await uow.commit()
    async with database.unit_of_work() as uow:
        [saved] = await uow.users.list()
    assert (saved.password_hash, saved.role, saved.site_ids, saved.disabled) == (
        "hash-2",
        "operator",
        (),
        True,
    )


async def test_repository_refuses_duplicates_and_unknown_ids(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.users.add("ops", "h", "operator", (), T0)
        with pytest.raises(Conflict, match="user 'ops' already exists"):
            await uow.users.add("ops", "h", "admin", (), T0)
        await uow.users.add("ops2", "h", "operator", (), T0)  # still usable after the conflict
        await uow.commit()
        with pytest.raises(NotFound):
            await uow.users.save(User(999, "ghost", "h", "viewer"))


async def test_service_rules(tmp_path: Path) -> None:
    services, db = await make_services(tmp_path)
    users = services.users
    await services.network.add_site(Site("north", "North Lot"))
    alice = await users.create("  Alice ", PASSWORD, Role.OPERATOR)
    assert alice.username == "alice"
    assert alice.password_hash.startswith("scrypt$")
    host = await users.create("host", PASSWORD, Role.VIEWER, ["north", "north", " "])
    assert host.site_ids == ("north",)
    with pytest.raises(InvalidInput, match="8-256 characters"):
        await users.create("bob", "short", Role.VIEWER)
    with pytest.raises(InvalidInput, match="username"):
        await users.create("bob smith", PASSWORD, Role.VIEWER)
    with pytest.raises(InvalidInput, match="admin"):
        await users.create("root", PASSWORD, Role.ADMIN, ["north"])
    with pytest.raises(NotFound, match="site 'south'"):
        await users.create("sam", PASSWORD, Role.VIEWER, ["south"])
    with pytest.raises(Conflict):
        await users.create("ALICE", PASSWORD, Role.VIEWER)
    assert await users.authenticate("ALICE", PASSWORD) == alice
    assert await users.authenticate("alice", "wrong password") is None
    assert await users.authenticate("nobody", PASSWORD) is None
    await users.set_disabled("alice", True)
    assert await users.authenticate("alice", PASSWORD) is None
    await db.dispose()


async def test_sign_in_backs_off_per_address_and_username(tmp_path: Path) -> None:
    clock = SteppingClock()
    services, db = await make_services(tmp_path, clock=clock)
    users = services.users
    await users.create("tech", PASSWORD, Role.TECHNICIAN)
    for _ in range(PER_ACCOUNT.free_failures + 1):
        assert await users.authenticate("tech", "guess", "10.0.0.1") is None
    assert users.retry_after_s("TECH", "10.0.0.1") == 30
    assert await users.authenticate("tech", PASSWORD, "10.0.0.1") is None
    assert await users.authenticate("tech", PASSWORD, "10.0.0.2") is not None  # elsewhere: fine
    clock.advance(31)
    assert users.retry_after_s("tech", "10.0.0.1") == 0
    assert await users.authenticate("tech", "guess", "10.0.0.1") is None
    assert users.retry_after_s("tech", "10.0.0.1") == 60  # each failure doubles the wait
    clock.advance(61)
    assert await users.authenticate("tech", PASSWORD, "10.0.0.1") is not None
    await db.dispose()


def test_access_follows_role_and_sites() -> None:
    host = UserAccess.of(User(1, "host", "h", "viewer", ("north",)))
    assert host.restricted
    assert host.allows(Role.VIEWER)
    assert not host.allows(Role.TECHNICIAN)
    assert host.sees_site("north")
    assert not host.sees_site("south")
    assert not host.sees_site(None)
    ops = UserAccess.of(User(2, "ops", "h", "operator"))
    assert ops.sees_site(None)
    assert ops.allows(Role.TECHNICIAN)
    assert not ops.allows(Role.ADMIN)
    stranger = UserAccess.of(User(3, "x", "h", "superuser"))  # a role from a newer version
    assert not stranger.allows(Role.VIEWER)


def _cli(url: str) -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main(ctx: typer.Context) -> None:
        ctx.obj = CliState(url)

    register(app)
    return app


def test_cli_adds_and_lists_users(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrate_sync(url, storage_extensions())
    app, runner = _cli(url), CliRunner()
    added = runner.invoke(
        app, ["users", "add", "Ops", "--role", "operator", "--password", PASSWORD]
    )
    assert added.exit_code == 0, added.output
    assert "user 'ops' (operator) created; sees the whole network" in added.output
    prompted = runner.invoke(
        app, ["users", "add", "tech", "--role", "technician"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert prompted.exit_code == 0, prompted.output
    assert PASSWORD not in prompted.output
    refused = runner.invoke(app, ["users", "add", "bob", "--password", "short"])
    assert refused.exit_code == 2
    assert "8-256 characters" in refused.output
    listed = runner.invoke(app, ["users", "list", "--json"])
    assert [(u["username"], u["role"]) for u in json.loads(listed.output)] == [
        ("ops", "operator"),
        ("tech", "technician"),
    ]
    table = runner.invoke(app, ["users", "list"])
    assert "technician" in table.output
    assert "scrypt" not in table.output + listed.output
    changed = runner.invoke(app, ["users", "set-password", "tech", "--password", "new " + PASSWORD])
    assert changed.exit_code == 0, changed.output
