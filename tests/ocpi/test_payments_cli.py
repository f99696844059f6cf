"""``forecourt ocpi terminals ...`` and ``forecourt ocpi stations ...`` through the real CLI."""

from __future__ import annotations

from tests.cli.conftest import Cli, cli, template_database  # noqa: F401 (fixtures)


def test_station_features_set_and_show(cli: Cli) -> None:  # noqa: F811 (the fixture's name)
    cli.ok("sites", "add", "SITE-1", "--name", "Main St")
    cli.ok("stations", "add", "CS-1", "--site", "SITE-1")
    shown = cli.json("ocpi", "stations", "show", "CS-1")
    assert shown == {
        "station_id": "CS-1",
        "reservable": False,
        "card_reader": False,
        "plug_and_charge": False,
    }
    saved = cli.json("ocpi", "stations", "set", "CS-1", "--reservable", "--card-reader")
    assert (saved["reservable"], saved["card_reader"], saved["plug_and_charge"]) == (
        True,
        True,
        False,
    )
    assert cli.json("ocpi", "stations", "show", "CS-1") == saved


def test_unknown_station_and_terminal_are_refused(cli: Cli) -> None:  # noqa: F811
    result = cli("ocpi", "stations", "set", "NOPE", "--reservable")
    assert result.exit_code != 0
    assert "NOPE" in result.stderr
    assert cli.json("ocpi", "terminals", "list") == []
    assert cli.json("ocpi", "terminals", "advice") == []
    gone = cli("ocpi", "terminals", "deactivate", "T-404")
    assert gone.exit_code != 0
    assert "T-404" in gone.stderr
