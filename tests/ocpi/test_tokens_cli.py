"""``forecourt ocpi tokens list`` through the real CLI entry point, on a migrated SQLite file."""

from __future__ import annotations

import json
import sqlite3

from tests.cli.conftest import Cli, cli, template_database  # noqa: F401 (fixtures)


def _pushed(database_url: str, uid: str, when: str) -> None:
    """A row as the tokens receiver stores it (the receiver itself is tested in test_tokens)."""
    path = database_url.split("///", 1)[1]
    body = {"uid": uid, "country_code": "NL", "party_id": "EMS", "valid": True}
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO ocpi_tokens (country_code, party_id, uid, type, contract_id, valid,"
            " whitelist, last_updated, body) VALUES ('NL','EMS',?,'RFID','NL-EMS-C1',1,"
            "'ALWAYS',?,?)",
            (uid, when, json.dumps(body)),
        )


def test_tokens_list_newest_first(cli: Cli) -> None:  # noqa: F811 (the fixture's name)
    assert cli.json("ocpi", "tokens", "list") == []
    _pushed(cli.database_url, "OLDCARD1", "2026-01-01 10:00:00.000000")
    _pushed(cli.database_url, "NEWCARD1", "2026-02-01 10:00:00.000000")
    listed = cli.json("ocpi", "tokens", "list")
    assert [(t["uid"], t["issuer"], t["whitelist"]) for t in listed] == [
        ("NEWCARD1", "NL-EMS", "ALWAYS"),
        ("OLDCARD1", "NL-EMS", "ALWAYS"),
    ]
    assert [t["uid"] for t in cli.json("ocpi", "tokens", "list", "--limit", "1")] == ["NEWCARD1"]
    assert "NEWCARD1" in cli.ok("ocpi", "tokens", "list").stdout
    assert cli("ocpi", "tokens", "list", "--limit", "0").exit_code == 2
