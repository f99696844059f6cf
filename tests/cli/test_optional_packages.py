"""Runtime dependencies are only what the server uses: aiosqlite is gone (old
``sqlite+aiosqlite://`` URLs keep working without it, ADR 0004) and matplotlib is the optional
``plots`` extra. Each is proved with the package made unimportable in a real ``forecourt``."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from forecourt.settings import Settings
from forecourt.storage.database import Database
from forecourt.storage.sqlite_inline import DRIVER
from tests.compat.integration.site import IONIQ_2025
from tests.support.missing_packages import forecourt_without

LEGACY = "sqlite+aiosqlite:///"


def test_the_documented_default_url_names_no_driver() -> None:
    assert Settings.model_fields["database_url"].default == "sqlite:///./forecourt.db"


def test_an_old_aiosqlite_url_migrates_and_serves_the_cli_without_aiosqlite(
    tmp_path: Path,
) -> None:
    url = f"{LEGACY}{tmp_path / 'old.db'}"

    migrated = forecourt_without(("aiosqlite",), "--database-url", url, "migrate", cwd=tmp_path)
    listed = forecourt_without(
        ("aiosqlite",), "--database-url", url, "stations", "list", cwd=tmp_path
    )

    assert migrated.returncode == 0, migrated.stderr[-2000:]
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert "Stations" in listed.stdout
    assert (tmp_path / "old.db").is_file()


def test_an_old_aiosqlite_url_in_the_settings_opens_the_in_loop_driver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORECOURT_DATABASE_URL", f"{LEGACY}{tmp_path / 'settings.db'}")
    database = Database.from_url(Settings().database_url)

    async def migrate_and_read() -> int:
        try:
            await database.migrate()
            async with database.engine.connect() as connection:
                found = await connection.execute(text("SELECT count(*) FROM alembic_version"))
                return int(found.scalar_one())
        finally:
            await database.dispose()

    assert database.engine.url.drivername == DRIVER
    assert asyncio.run(migrate_and_read()) >= 1


def test_a_png_plot_without_matplotlib_says_which_extra_to_install(tmp_path: Path) -> None:
    chart = tmp_path / "curve.png"
    estimate = ("compat", "estimate", "--vehicle", IONIQ_2025, "--connector", "ccs1")

    png = forecourt_without(("matplotlib",), *estimate, "--plot", str(chart), cwd=tmp_path)
    svg = forecourt_without(
        ("matplotlib",), *estimate, "--plot", str(tmp_path / "c.svg"), cwd=tmp_path
    )

    assert png.returncode == 1, (png.stdout, png.stderr[-2000:])
    assert "pip install 'forecourt[plots]'" in " ".join(png.stderr.split())
    assert "Traceback" not in png.stderr
    assert not chart.exists()
    assert svg.returncode == 0, svg.stderr[-2000:]
    assert (tmp_path / "c.svg").read_text(encoding="utf-8").startswith("<svg")
