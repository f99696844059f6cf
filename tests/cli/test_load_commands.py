"""``forecourt load``: site load management through a real HTTP server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.cli.conftest import Cli, ServerThread


@pytest.fixture
def load(cli: Cli, server: ServerThread) -> Cli:
    """The CLI with an operator key, site DEPOT with station CS-1 (one EVSE)."""
    cli.ok("sites", "add", "DEPOT", "--name", "Depot")
    cli.ok("stations", "add", "CS-1", "--site", "DEPOT")
    cli.ok("connectors", "set", "CS-1", "1", "1", "--type", "ccs1")
    key = cli.json("apikeys", "create", "ops", "--role", "operator")["key"]
    return Cli(cli.database_url, {"FORECOURT_SERVER": server.url, "FORECOURT_API_KEY": key})


def test_set_show_signal_and_clear(load: Cli) -> None:
    result = load(
        "load", "set", "DEPOT", "--limit", "100", "--unit", "A", "--window", "17:00-21:00=50"
    )
    assert result.exit_code == 0, result.output
    assert "site DEPOT: limit 100 A (fair_share)" in result.stdout

    shown = json.loads(load("load", "show", "DEPOT", "--json").stdout)
    assert shown["windows"] == [{"start_minute": 1020, "end_minute": 1260, "limit": 50.0}]
    assert [a["station_id"] for a in shown["allocations"]] == ["CS-1"]

    result = load("load", "signal", "DEPOT", "--limit", "20", "--until", "2099-01-01T00:00:00Z")
    assert result.exit_code == 0, result.output
    assert "now 13.8 kW" in result.stdout  # 20 A x 230 V x 3

    result = load("load", "evse", "CS-1", "1", "--max-w", "7000", "--priority", "2")
    assert result.exit_code == 0, result.output
    assert load("load", "rebalance", "DEPOT").exit_code == 0

    assert load("load", "clear", "DEPOT").exit_code == 0
    result = load("load", "show", "DEPOT")
    assert result.exit_code == 1
    assert "managed site 'DEPOT' not found" in result.stderr


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["set", "DEPOT", "--limit", "1", "--unit", "kW"], "unit"),
        (["set", "DEPOT", "--limit", "1", "--window", "evening=5"], "a window looks like"),
        (["signal", "DEPOT", "--limit", "1", "--until", "tomorrow"], "not an ISO 8601 time"),
        (["signal", "DEPOT", "--limit", "1", "--until", "2030-01-01T00:00:00"], "give the offset"),
        (["set", "DEPOT", "--limit=-1"], "--limit"),
        (["evse", "CS-1", "0"], "EVSE"),
    ],
)
def test_bad_input_exits_2_with_the_reason(load: Cli, words: list[str], message: str) -> None:
    result = load("load", *words)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_phase_limit_phase_wiring_and_departure(load: Cli) -> None:
    result = load("load", "set", "DEPOT", "--limit", "50000", "--phase-limit", "32",
                  "--policy", "departure")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "site DEPOT: limit 50000 W (departure)" in result.stdout
    assert "phases: L1 0.0 A, L2 0.0 A, L3 0.0 A (limit 32 A)" in result.stdout
    assert load("load", "evse", "CS-1", "1", "--phase", "2").exit_code == 0

    # a departure is for a running session: none here, so the server refuses (exit 1)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    result = load("load", "departure", "CS-1", "1", "--at", tomorrow,
                  "--energy-kwh", "20", "--vehicle", "2025 Ioniq 5")  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "EVSE CS-1/1 has no session" in result.stderr


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["departure", "CS-1", "1", "--at", "18:00", "--energy-kwh", "20"], "not an ISO 8601"),
        (["departure", "CS-1", "1", "--at", "2099-01-01T18:00:00", "--energy-kwh", "20"],
         "give the offset"),
        (["departure", "CS-1", "1", "--at", "2099-01-01T18:00:00Z", "--energy-kwh", "0"],
         "--energy-kwh"),
        (["evse", "CS-1", "1", "--phase", "4"], "--phase"),
    ],
)  # fmt: skip
def test_bad_departures_exit_2(load: Cli, words: list[str], message: str) -> None:
    result = load("load", *words)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_an_unknown_site_exits_1(load: Cli) -> None:
    result = load("load", "set", "NOWHERE", "--limit", "1")
    assert result.exit_code == 1
    assert "site 'NOWHERE' not found" in result.stderr


def test_a_key_is_needed(cli: Cli, server: ServerThread) -> None:
    result = Cli(cli.database_url, {"FORECOURT_SERVER": server.url})("load", "show", "DEPOT")
    assert result.exit_code == 2
    assert "an API key is needed" in result.stderr
