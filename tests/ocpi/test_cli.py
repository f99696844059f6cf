"""``forecourt ocpi parties ...`` through the real CLI entry point."""

from __future__ import annotations

import json
from typing import Any

from tests.cli.conftest import Cli, cli, template_database  # noqa: F401 (fixtures)
from tests.support.server import free_port


def test_add_list_and_unregister(cli: Cli) -> None:  # noqa: F811 (the fixture's name)
    added = cli.json("ocpi", "parties", "add", "Roaming hub")
    assert added["state"] == "pending"
    assert len(added["token_a"]) >= 32
    listed = cli.json("ocpi", "parties", "list")
    assert [(p["id"], p["name"], p["state"]) for p in listed] == [(1, "Roaming hub", "pending")]
    assert "Roaming hub" in cli.ok("ocpi", "parties", "list").stdout

    done = cli.json("ocpi", "parties", "unregister", "1")
    assert done["state"] == "unregistered"


def test_register_with_an_unreachable_partner_fails_cleanly(cli: Cli) -> None:  # noqa: F811
    cli.ok("ocpi", "parties", "add", "Partner")
    url = f"http://127.0.0.1:{free_port()}/ocpi/versions"  # nobody listens there
    result = cli("ocpi", "parties", "register", "1", "--versions-url", url, "--token", "A")
    assert result.exit_code == 1
    assert "cannot reach the other party" in result.stderr
    assert cli.json("ocpi", "parties", "list")[0]["state"] == "pending"


def test_unknown_party_is_a_usage_error(cli: Cli) -> None:  # noqa: F811
    result = cli("ocpi", "parties", "unregister", "7")
    assert result.exit_code == 2
    assert "no OCPI party 7" in result.stderr


def test_amenities_set_and_show(cli: Cli) -> None:  # noqa: F811
    cli.ok("sites", "add", "SITE-1", "--name", "Main St")
    saved = _json(
        cli,
        "ocpi",
        "amenities",
        "set",
        "SITE-1",
        "--feature",
        "canopy",
        "--feature",
        "food",
        "--hours",
        "1 06:00-22:00",
        "--accessible-stalls",
        "2",
        "--parking-type",
        "PARKING_LOT",
    )
    assert saved["canopy"] is True
    assert saved["hours"] == [{"weekday": 1, "begin": "06:00", "end": "22:00"}]
    assert _json(cli, "ocpi", "amenities", "show", "SITE-1") == saved

    bad = cli("ocpi", "amenities", "set", "SITE-1", "--hours", "9 06:00-22:00")
    assert bad.exit_code == 2
    assert "weekday 1-7" in bad.stderr
    assert _json(cli, "ocpi", "amenities", "show", "SITE-1") == saved  # unchanged


def _json(cli: Cli, *args: str) -> Any:  # noqa: F811
    return json.loads(cli.ok(*args).stdout)
