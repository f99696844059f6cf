"""FORECOURT_SQLITE_SYNCHRONOUS reaches every SQLite connection (ADR 0005), read back from
the connections the storage layer and the real server actually use."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from forecourt.settings import Settings
from forecourt.storage import Database
from tests.support.server import running_server

from .factories import sqlite_url

#: What ``PRAGMA synchronous`` reads back as.
LEVEL = {"NORMAL": 1, "FULL": 2}


async def synchronous_of(database: Database) -> list[int]:
    """The mode on two pooled connections at once (each got its own ``connect`` hook)."""
    modes = []
    async with database.engine.connect() as first, database.engine.connect() as second:
        for connection in (first, second):  # the driver's own connection: no BEGIN IMMEDIATE
            raw = (await connection.get_raw_connection()).driver_connection
            modes.append(int(raw.execute("PRAGMA synchronous").fetchone()[0]))
    return modes


async def test_default_is_full(tmp_path: Path) -> None:
    database = Database.from_url(sqlite_url(tmp_path / "d.db"))
    try:
        assert await synchronous_of(database) == [LEVEL["FULL"]] * 2
    finally:
        await database.dispose()


@pytest.mark.parametrize("mode", ["NORMAL", "FULL", "normal"])
async def test_every_connection_gets_the_mode(tmp_path: Path, mode: str) -> None:
    database = Database.from_url(sqlite_url(tmp_path / "m.db"), sqlite_synchronous=mode)
    try:
        async with database.unit_of_work() as uow:  # a real unit of work still works
            await uow.commit()
        assert await synchronous_of(database) == [LEVEL[mode.upper()]] * 2
    finally:
        await database.dispose()


def test_an_unknown_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="NORMAL or FULL"):
        Database.from_url(sqlite_url(tmp_path / "x.db"), sqlite_synchronous="OFF")


def test_setting_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORECOURT_SQLITE_SYNCHRONOUS", raising=False)
    assert Settings().sqlite_synchronous == "FULL"
    monkeypatch.setenv("FORECOURT_SQLITE_SYNCHRONOUS", " normal ")
    assert Settings().sqlite_synchronous == "NORMAL"
    monkeypatch.setenv("FORECOURT_SQLITE_SYNCHRONOUS", "OFF")
    with pytest.raises(ValidationError, match="sqlite_synchronous"):
        Settings()


@pytest.mark.parametrize("mode", ["NORMAL", "FULL"])
async def test_the_server_uses_the_setting(tmp_path: Path, mode: str) -> None:
    async with running_server(tmp_path, sqlite_synchronous=mode) as server:
        assert await synchronous_of(server.forecourt.database) == [LEVEL[mode]] * 2
