"""The ``forecourt simulate`` command."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
import typer
from typer.testing import CliRunner

from forecourt.cli.simulate import register
from tests.simulator.simcsms import CsmsServer


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Forecourt."""

    register(app)
    return app


@pytest.fixture
def csms_url() -> Iterator[str]:
    """A test CSMS on its own thread: the command runs its own event loop."""
    started = threading.Event()
    box: dict[str, object] = {}

    async def serve() -> None:
        async with CsmsServer() as server:
            box["url"], box["loop"], box["stop"] = (
                server.url,
                asyncio.get_running_loop(),
                asyncio.Event(),
            )
            started.set()
            stop = box["stop"]
            assert isinstance(stop, asyncio.Event)
            await stop.wait()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    assert started.wait(5)
    yield str(box["url"])
    loop, stop = box["loop"], box["stop"]
    assert isinstance(loop, asyncio.AbstractEventLoop)
    assert isinstance(stop, asyncio.Event)
    loop.call_soon_threadsafe(stop.set)
    thread.join(5)


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--protocol", "1.5"], "'1.5' is not one of 1.6, 2.0.1, 2.1, mixed"),
        (["--card-terminal"], "needs --protocol 2.1"),
        (["--protocol", "2.1", "--card-declines", "0.5"], "needs --card-terminal"),
        (["--protocol", "2.1", "--card-terminal", "--card-declines", "2"], "between 0 and 1"),
        (["--stations", "0"], "at least one station"),
        (["--url", "http://127.0.0.1:9000"], "ws://"),
        (["--speed", "0"], "must be positive"),
        (["--load", "--protocol", "mixed"], "load mode needs one version"),
    ],
)
def test_bad_input_is_a_usage_error(app: typer.Typer, args: list[str], complaint: str) -> None:
    result = CliRunner().invoke(app, ["simulate", *args])
    assert result.exit_code == 2
    assert complaint in " ".join(result.output.split())


def test_load_run_prints_latency_table(app: typer.Typer, csms_url: str) -> None:
    args = ["simulate", "--load", "--stations", "2", "--duration", "0.3", "--rate", "10"]
    result = CliRunner().invoke(app, [*args, "--url", csms_url])
    assert result.exit_code == 0, result.output
    assert "p99 ms" in result.output


def test_fleet_run_logs_and_summarises(app: typer.Typer, csms_url: str) -> None:
    args = ["simulate", "--stations", "2", "--protocol", "mixed", "--duration", "0.5", "--log"]
    result = CliRunner().invoke(app, [*args, "--url", csms_url, "--prefix", "CLI"])
    assert result.exit_code == 0, result.output
    assert "CLI-001: boot accepted" in result.output
    assert "2 stations" in result.output


def test_output_into_a_pipe_is_event_lines(csms_url: str) -> None:
    """``forecourt simulate | tee log``: the real command, stdout not a terminal, prints
    what happens (a live table would print nothing there)."""
    import os
    import subprocess
    import sys

    args = ["--stations", "1", "--duration", "2", "--speed", "600", "--mean-idle", "0.2"]
    run = subprocess.run(
        [sys.executable, "-m", "forecourt.cli.main", "simulate", *args, "--url", csms_url],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "120"},
    )

    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("simulating 1 station(s) (1.6) against ws://127.0.0.1:")
    assert any("SIM-001" in line for line in lines[1:-1]), run.stdout
    assert "stations, " in lines[-1]
