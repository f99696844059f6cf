"""`forecourt doctor` and the first-run check of `forecourt demo`, through the real CLI."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.support.server import free_port

PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def lines(output: str, mark: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(mark)]


def test_a_ready_machine_passes(cli: Cli) -> None:
    result = cli("doctor", "--port", str(free_port()))
    assert result.exit_code == 0, result.output
    assert "reachable and migrated" in result.stdout
    assert " is free" in result.stdout
    assert lines(result.stdout, "FAIL") == []
    if os.environ.get("FORECOURT_SKIP_PG") != "1":  # the local PostgreSQL the tests use
        assert lines(result.stdout, "ok    test db")


def test_an_unmigrated_database_says_run_migrate(database_url: str) -> None:
    result = Cli(database_url)("doctor", "--port", str(free_port()))
    assert result.exit_code == 1
    assert lines(result.stdout, "FAIL  database")
    assert "fix: run `forecourt migrate`" in result.stdout
    assert "Traceback" not in result.output


def test_a_port_in_use_is_reported_with_a_fix(cli: Cli, busy_port: int) -> None:
    result = cli("doctor", "--port", str(busy_port))
    assert result.exit_code == 1
    assert f"FAIL  port      127.0.0.1:{busy_port} is already in use" in result.stdout
    assert "--port N" in result.stdout


def test_an_unreachable_postgresql_is_reported_with_a_fix() -> None:
    url = f"postgresql+asyncpg://forecourt:secret@127.0.0.1:{free_port()}/forecourt"
    result = Cli(url)("doctor", "--port", str(free_port()))
    assert result.exit_code == 1
    assert "unreachable" in result.stdout
    assert "start PostgreSQL" in result.stdout
    assert "secret" not in result.output  # passwords are never printed


@pytest.mark.postgres
def test_a_reachable_postgresql_without_the_schema_says_run_migrate() -> None:
    if os.environ.get("FORECOURT_SKIP_PG") == "1":
        pytest.skip("PostgreSQL tests skipped: FORECOURT_SKIP_PG=1")
    result = Cli(os.environ.get("FORECOURT_TEST_PG_URL", PG_ADMIN))("doctor")
    assert "has no Forecourt schema" in result.stdout, result.output
    assert "fix: run `forecourt migrate`" in result.stdout


def test_a_missing_chromium_is_a_warning_only(cli: Cli, tmp_path: Path) -> None:
    cli.env["PATH"] = str(tmp_path)  # nothing to find there
    result = cli("doctor", "--port", str(free_port()))
    assert result.exit_code == 0, result.output
    assert lines(result.stdout, "warn  chromium")
    assert "apt-get install chromium" in result.stdout


def test_the_demo_checks_first_and_prints_the_fix_instead_of_a_traceback(
    tmp_path: Path, busy_port: int
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "forecourt.cli.main", "demo", "--port", str(busy_port),
         "--duration", "5"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert f"127.0.0.1:{busy_port} is already in use" in result.stderr
    assert "fix: stop what listens there" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_an_unreachable_test_postgresql_is_a_warning_only(cli: Cli) -> None:
    cli.env["FORECOURT_TEST_PG_URL"] = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"
    result = cli("doctor", "--port", str(free_port()))
    assert result.exit_code == 0, result.output
    assert lines(result.stdout, "warn  test db")
    assert "FORECOURT_TEST_PG_URL" in result.stdout
