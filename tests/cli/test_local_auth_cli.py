"""``forecourt reservations`` and ``forecourt local-list``: through a real HTTP server on
127.0.0.1 to scripted stations (the wire itself: tests/e2e/test_local_auth_*)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from forecourt.domain.commands import CommandKind, CommandResult, CommandStatus
from forecourt.domain.local_auth import ReserveNow, SendLocalList, SetAuthCache
from tests.api.fakes import ScriptedGateway
from tests.cli.conftest import Cli

UNTIL = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def operator(remote: Cli, gateway: ScriptedGateway) -> Cli:
    remote.ok("connectors", "set", "CS-1", "1", "1", "--type", "ccs1")
    remote.ok("tokens", "add", "CARD-1")
    remote.ok("tokens", "add", "CARD-2")
    key = remote.json("apikeys", "create", "ops", "--role", "operator")["key"]
    gateway.answers[CommandKind.GET_LOCAL_LIST_VERSION] = CommandResult(
        CommandStatus.ACCEPTED, {"version": 0}
    )
    return Cli(remote.database_url, {**remote.env, "FORECOURT_API_KEY": key})


def test_reserve_list_and_cancel(operator: Cli, gateway: ScriptedGateway) -> None:
    made = operator("reservations", "add", "CS-1", "CARD-1", "--until", UNTIL, "--evse", "1")
    assert made.exit_code == 0, made.stderr
    assert "active (accepted)" in made.stdout
    sent = gateway.sent[-1][1]
    assert isinstance(sent, ReserveNow)
    assert (sent.id_token, sent.evse_id) == ("CARD-1", 1)

    clash = operator("reservations", "add", "CS-1", "CARD-2", "--until", UNTIL, "--evse", "1")
    assert clash.exit_code == 1
    assert "already reserved" in clash.stderr

    listed = json.loads(operator.ok("reservations", "list", "--station", "CS-1", "--json").stdout)
    assert [r["state"] for r in listed] == ["active"]
    cancelled = operator("reservations", "cancel", str(listed[0]["id"]))
    assert cancelled.exit_code == 0
    assert "cancelled" in cancelled.stdout


def test_a_refused_reservation_exits_1(operator: Cli, gateway: ScriptedGateway) -> None:
    gateway.answers[CommandKind.RESERVE_NOW] = CommandResult(CommandStatus.FAULTED)
    result = operator("reservations", "add", "CS-1", "CARD-1", "--until", UNTIL, "--evse", "1")
    assert result.exit_code == 1
    assert "refused (faulted)" in result.stdout


@pytest.mark.parametrize(
    ("words", "code", "message"),
    [
        (["add", "CS-1", "CARD-1", "--until", "tomorrow"], 2, "datetime"),
        (["add", "CS-1", "NOPE", "--until", UNTIL], 1, "NOPE"),
        (["cancel", "0"], 2, "ID"),
        (["cancel", "77"], 1, "77"),
    ],
)
def test_reservation_usage_errors(operator: Cli, words: list[str], code: int, message: str) -> None:
    result = operator("reservations", *words)
    assert result.exit_code == code
    assert message in result.stderr + result.stdout


def test_local_list_set_show_limit_sync_and_cache(operator: Cli, gateway: ScriptedGateway) -> None:
    shown = operator.ok("local-list", "set", "CS-1", "CARD-1", "CARD-2")
    assert "station, version 1, in_sync" in shown.stdout
    assert "CARD-1, CARD-2" in shown.stdout
    assert operator.json("local-list", "show", "CS-1")["on_station"] == ["CARD-1", "CARD-2"]

    operator.ok("local-list", "limit", "CS-1", "1")
    gateway.answers[CommandKind.GET_LOCAL_LIST_VERSION] = CommandResult(
        CommandStatus.ACCEPTED, {"version": 1}
    )
    synced = operator.json("local-list", "sync", "CS-1", "--full")
    updates = [c for _, c, _ in gateway.sent if isinstance(c, SendLocalList)]
    assert [(u.version, u.full) for u in updates[-2:]] == [(2, True), (3, False)]
    assert synced["version"] == 3

    cache = operator("local-list", "auth-cache", "CS-1", "--off")
    assert cache.exit_code == 0
    assert gateway.sent[-1][1] == SetAuthCache(False)


def test_local_list_errors(operator: Cli) -> None:
    unknown = operator("local-list", "set", "CS-1", "NOPE")
    missing_site = operator("local-list", "set-site", "NOWHERE", "CARD-1")
    assert (unknown.exit_code, missing_site.exit_code) == (2, 1)
    assert "unknown tokens: NOPE" in unknown.stderr
    assert "NOWHERE" in missing_site.stderr
    no_key = Cli(operator.database_url, {**operator.env, "FORECOURT_API_KEY": ""})
    assert no_key("local-list", "show", "CS-1").exit_code == 2
