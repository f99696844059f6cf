"""``forecourt --help`` answers at once: the real command, in a fresh interpreter, imports none
of the heavy libraries (FastAPI, SQLAlchemy, Alembic, matplotlib). The timings themselves live
in ``benchmarks/cli_startup.py``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from forecourt.cli.lazy import LAZY_COMMANDS, load_module_commands
from forecourt.features import storage_extensions
from forecourt.storage.database import migrate_sync

HEAVY = ("fastapi", "sqlalchemy", "alembic", "matplotlib", "uvicorn", "pydantic_settings")


def imported_by(*args: str) -> tuple[set[str], str]:
    """The top-level packages ``forecourt ARGS`` imports, and what it printed."""
    modules, printed = imported_by_module(*args)
    return {name.split(".")[0] for name in modules}, printed


def _python_path() -> dict[str, str]:
    import os

    return {"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("--version",),
        ("stations", "--help"),
        ("tokens", "--help"),
        ("serve", "--help"),
        ("demo", "--help"),
        ("doctor", "--help"),
        ("command", "--help"),
    ],
)
def test_help_and_version_import_no_heavy_library(args: tuple[str, ...]) -> None:
    modules, out = imported_by(*args)

    assert out.strip()
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


GROUPS_HELP = [
    (group, "--help")
    for group in (
        "stations",
        "connectors",
        "tokens",
        "transactions",
        "users",
        "apikeys",
        "payments",
        "tariffs",
        "receipts",
        "uptime",
        "tickets",
    )
]


@pytest.mark.parametrize("args", GROUPS_HELP)
def test_group_help_builds_no_service(args: tuple[str, ...]) -> None:
    """A group's help lists its commands: the services behind them stay unimported."""
    modules, out = imported_by_module(*args)

    assert "Usage" in out
    services = {m for m in modules if m.startswith("forecourt.services.")}
    assert services <= {"forecourt.services.roles"}  # an enum the `--role` options take
    assert "pydantic" not in modules  # Typer checks given values with it; help gives none


def imported_by_module(*args: str) -> tuple[set[str], str]:
    """The full dotted names of the modules ``forecourt ARGS`` imports, and what it printed."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "forecourt.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"COLUMNS": "100", "PATH": "/usr/bin:/bin", **_python_path()},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    lines = [line for line in run.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[1].strip() for line in lines}, run.stdout


def test_help_lists_every_command_without_loading_it() -> None:
    _, out = imported_by("--help")

    for name in LAZY_COMMANDS:
        assert f" {name} " in out
    assert "<bool>" not in out  # plain flags take no value


def test_every_listed_command_is_registered_by_its_module() -> None:
    for name, lazy in LAZY_COMMANDS.items():
        assert name in load_module_commands(lazy.module), f"{lazy.module} does not add {name}"


def test_a_database_command_checks_the_schema_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'forecourt.db'}"
    migrate_sync(url, storage_extensions())

    modules, out = imported_by_module("--database-url", url, "stations", "list")

    assert "Stations" in out
    assert not {m for m in modules if m.split(".")[0] in ("alembic", "mako", "httpx")}
