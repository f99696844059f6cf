"""Commands that work straight on the database, through the real entry point."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from forecourt.bootstrap import build_services, open_database
from forecourt.cli.runtime import NoStations
from forecourt.domain.tokens import IdToken
from forecourt.services.transactions import TransactionStart
from tests.cli.conftest import Cli


def test_commands_refuse_an_unmigrated_database(database_url: str) -> None:
    result = Cli(database_url)("stations", "list")

    assert result.exit_code == 1
    assert "run `forecourt migrate` first" in result.stderr
    assert "Traceback" not in result.output


def test_migrate_is_idempotent(database_url: str) -> None:
    first = Cli(database_url)("migrate")
    second = Cli(database_url)("migrate")

    assert (first.exit_code, second.exit_code) == (0, 0)
    assert first.stdout == second.stdout
    assert "database schema at revision" in first.stdout


def test_a_bad_database_url_is_a_usage_error() -> None:
    result = Cli("mysql://nowhere/db")("stations", "list")

    assert result.exit_code == 2
    assert "cannot use database URL" in result.stderr


def test_the_global_option_overrides_the_environment(cli: Cli, tmp_path: object) -> None:
    other = f"sqlite:///{tmp_path}/other.db"

    result = cli("--database-url", other, "sites", "list")

    assert result.exit_code == 1
    assert f"no database at {other}" in result.stderr


def test_sites(cli: Cli) -> None:
    cli.ok("sites", "add", "AUS-1", "--name", "Austin", "--timezone", "America/Chicago")

    duplicate = cli("sites", "add", "AUS-1", "--name", "Again")
    table = cli.ok("sites", "list").stdout

    assert cli.json("sites", "list") == [
        {
            "id": "AUS-1",
            "name": "Austin",
            "address": "",
            "timezone": "America/Chicago",
            "latitude": None,
            "longitude": None,
        }
    ]
    assert duplicate.exit_code == 1
    assert "site 'AUS-1' already exists" in duplicate.stderr
    assert "Austin" in table


def test_stations(cli: Cli) -> None:
    cli.ok("sites", "add", "S1", "--name", "One")
    cli.ok("stations", "add", "CS-1", "--site", "S1", "--password", "p4ssword-p4ssword")
    cli.ok("stations", "add", "CS-2")

    in_site = cli.json("stations", "list", "--site", "S1")
    everything = cli.json("stations", "list")
    table = cli.ok("stations", "list").stdout

    assert [s["id"] for s in in_site] == ["CS-1"]
    assert [(s["id"], s["has_password"]) for s in everything] == [("CS-1", True), ("CS-2", False)]
    assert "CS-2" in table
    assert "p4ssword" not in table


def test_station_errors_are_clear(cli: Cli) -> None:
    bad_id = cli("stations", "add", "CS 1")
    no_site = cli("stations", "add", "CS-1", "--site", "NOPE")
    unknown = cli("stations", "show", "NOPE")

    assert bad_id.exit_code == 2
    assert "a station id must be 1-48 characters" in bad_id.stderr
    assert no_site.exit_code == 1
    assert "site 'NOPE' not found" in no_site.stderr
    assert unknown.exit_code == 1
    assert "station 'NOPE' not found" in unknown.stderr


def test_approve_and_set_password(cli: Cli) -> None:
    cli.ok("stations", "add", "CS-1")
    cli.ok("stations", "reject", "CS-1")
    rejected = cli.json("stations", "show", "CS-1")["registration"]

    approved = cli.ok("stations", "approve", "CS-1")
    prompted = cli("stations", "set-password", "CS-1", input="s3cret-s3cret\ns3cret-s3cret\n")

    shown = cli.json("stations", "show", "CS-1")
    assert rejected == "rejected"
    assert "station CS-1 accepted" in approved.stdout
    assert prompted.exit_code == 0
    assert (shown["registration"], shown["has_password"]) == ("accepted", True)


def test_connectors_set_and_remove(cli: Cli) -> None:
    cli.ok("stations", "add", "CS-1")

    table = cli.ok("connectors", "set", "CS-1", "1", "1", "--type", "ccs1").stdout
    cli.ok(
        "connectors", "set", "CS-1", "1", "2", "--type", "nacs",
        "--max-power-kw", "150", "--max-current-a", "400", "--cooled-cable",
    )  # fmt: skip
    connectors = cli.json("stations", "show", "CS-1")["evses"][0]["connectors"]
    removed = cli.ok("connectors", "remove", "CS-1", "1", "1")
    again = cli("connectors", "remove", "CS-1", "1", "1")

    assert "ccs1" in table
    assert "350 kW, 1000 V, 500 A" in table
    nacs = connectors[1]
    assert nacs["type"] == "nacs"
    assert nacs["rating"]["max_power_w"] == 150_000
    assert nacs["rating"]["max_current_a"] == 400
    assert nacs["rating"]["cooled_cable"] is True
    assert "connector CS-1/1/1 removed" in removed.stdout
    assert again.exit_code == 1
    assert "connector 'CS-1/1/1' not found" in again.stderr


def test_a_connector_with_a_built_in_adapter(cli: Cli) -> None:
    cli.ok("stations", "add", "CS-1")

    table = cli.ok(
        "connectors", "set", "CS-1", "1", "1", "--type", "nacs", "--built-in-plug", "ccs1"
    ).stdout
    dock = cli.json("stations", "show", "CS-1")["evses"][0]["connectors"][0]
    same = cli("connectors", "set", "CS-1", "1", "1", "--type", "nacs", "--built-in-plug", "nacs")

    assert "nacs+ccs1" in table
    assert (dock["type"], dock["built_in_plug"]) == ("nacs", "ccs1")
    assert same.exit_code == 2
    assert "a built-in adapter presents a known plug other than the cable's" in same.stderr


def test_bad_connector_input_is_a_usage_error(cli: Cli) -> None:
    cli.ok("stations", "add", "CS-1")

    unknown_type = cli("connectors", "set", "CS-1", "1", "1", "--type", "tesla")
    negative = cli("connectors", "set", "CS-1", "1", "1", "--type", "ccs1", "--max-current-a", "-5")
    zero_evse = cli("connectors", "set", "CS-1", "0", "1", "--type", "ccs1")
    dc_on_ac = cli(
        "connectors", "set", "CS-1", "1", "1", "--type", "j1772", "--power-type", "dc",
        "--max-voltage-v", "400", "--max-current-a", "100",
    )  # fmt: skip

    assert unknown_type.exit_code == 2
    assert "'tesla' is not one of 'nacs', 'ccs1'" in unknown_type.stderr
    assert negative.exit_code == 2
    assert "--max-current-a" in negative.stderr
    assert "must be positive" in negative.stderr
    assert zero_evse.exit_code == 2
    assert dc_on_ac.exit_code == 2
    assert "a j1772 connector cannot carry dc power" in dc_on_ac.stderr


def test_tokens(cli: Cli) -> None:
    cli.ok("tokens", "add", "04A2B3", "--expires", "2027-01-31T18:00+01:00", "--group", "fleet")
    cli.ok("tokens", "add", "EMAID-1", "--kind", "emaid")
    cli.ok("tokens", "block", "04A2B3")

    tokens = {t["value"]: t for t in cli.json("tokens", "list")}
    cli.ok("tokens", "unblock", "04A2B3")

    assert tokens["04A2B3"]["blocked"] is True
    assert tokens["04A2B3"]["expires_at"] == "2027-01-31T17:00:00Z"
    assert tokens["04A2B3"]["group"] == "fleet"
    assert tokens["EMAID-1"]["kind"] == "emaid"
    assert cli.json("tokens", "list")[0]["blocked"] is False
    assert "04A2B3" in cli.ok("tokens", "list").stdout


def test_token_errors(cli: Cli) -> None:
    bad_date = cli("tokens", "add", "T1", "--expires", "tomorrow")
    bad_kind = cli("tokens", "add", "T1", "--kind", "magic")
    unknown = cli("tokens", "block", "NOPE")

    assert bad_date.exit_code == 2
    assert "'tomorrow' is not an ISO 8601 date or time" in bad_date.stderr
    assert bad_kind.exit_code == 2
    assert unknown.exit_code == 1
    assert "token 'NOPE' not found" in unknown.stderr


def start_transactions(database_url: str) -> None:
    async def run() -> None:
        database = open_database(database_url)
        services = build_services(database, NoStations())
        # one car per EVSE: CS-1's two sessions run side by side on its two EVSEs
        starts = (("CS-1", 1, "A", 10), ("CS-1", 2, "B", 11), ("CS-2", 1, "A", 12))
        for station_id, evse_id, tag, hour in starts:
            at = datetime(2026, 11, 21, hour, tzinfo=UTC)
            start = TransactionStart(evse_id, 1, at, IdToken(tag), meter_start_wh=500.0)
            await services.core.transactions.start(station_id, start)
        await database.dispose()

    asyncio.run(run())


def test_transactions(cli: Cli) -> None:
    cli.ok("stations", "add", "CS-1")
    cli.ok("stations", "add", "CS-2")
    start_transactions(cli.database_url)

    everything = cli.json("transactions", "list")
    on_cs1 = cli.json("transactions", "list", "--station", "CS-1", "--limit", "1")
    ended = cli.json("transactions", "list", "--state", "ended")
    table = cli.ok("transactions", "list").stdout
    detail = cli.json("transactions", "show", str(everything["items"][0]["id"]))
    shown = cli.ok("transactions", "show", str(everything["items"][0]["id"])).stdout

    assert [tx["station_id"] for tx in everything["items"]] == ["CS-2", "CS-1", "CS-1"]
    assert (len(on_cs1["items"]), on_cs1["total"]) == (1, 2)
    assert ended["total"] == 0
    assert "Transactions (3 of 3)" in table
    assert detail["id_token"] == "A"
    assert detail["samples"] == []
    assert "Meter samples (0)" in shown


def test_transaction_errors(cli: Cli) -> None:
    unknown = cli("transactions", "show", "99")
    bad_state = cli("transactions", "list", "--state", "paused")
    bad_limit = cli("transactions", "list", "--limit", "0")

    assert unknown.exit_code == 1
    assert "transaction 99 not found" in unknown.stderr
    assert (bad_state.exit_code, bad_limit.exit_code) == (2, 2)


def test_api_keys(cli: Cli) -> None:
    created = cli.ok("apikeys", "create", "grafana", "--role", "viewer")
    key = created.stdout.strip().splitlines()[-1]

    keys = cli.json("apikeys", "list")
    revoked = cli.ok("apikeys", "revoke", str(keys[0]["id"]))
    missing = cli("apikeys", "revoke", "99")
    bad_role = cli("apikeys", "create", "x", "--role", "root")

    assert key.startswith("fc_")
    assert "store it now" in created.stdout
    assert [(k["name"], k["role"]) for k in keys] == [("grafana", "viewer")]
    assert key not in cli.ok("apikeys", "list").stdout
    assert "revoked" in revoked.stdout
    assert cli.json("apikeys", "list")[0]["revoked"] is True
    assert missing.exit_code == 1
    assert bad_role.exit_code == 2


def test_help_lists_the_command_tree(cli: Cli) -> None:
    result = cli.ok("--help")

    for command in (
        "migrate", "sites", "stations", "connectors", "tokens", "transactions", "apikeys",
        "command", "serve", "simulate",
    ):  # fmt: skip
        assert command in result.stdout


# Every migration branch's head, one per line (a new branch or revision changes one line).
HEADS = [
    "0005_credential_rotation",
    "0006_local_lists_reservations",
    "0007_firmware_state",
    "0008_monitoring_display",
    "0010_event_outbox",
    "0012_consumer_dedupe",
    "0016_firmware",
    "0021_smart_charging_departures",
    "0024_reliability_chargex",
    "0031_payments_split_billing",
    "0041_accounts",
    "0042_pki_profile_target",
    "0053_ocpi_payments",
    "0061_compat_driver_cars",
]


def test_commands_refuse_a_database_at_an_older_revision(database_url: str) -> None:
    _upgrade(database_url, "0001")

    result = Cli(database_url)("stations", "list")

    assert result.exit_code == 1
    needed = " + ".join(HEADS)
    assert (
        f"the database is at revision 0001, this Forecourt needs revision {needed}:"
        " run `forecourt migrate` first"
    ) in " ".join(result.stderr.split())


def _upgrade(url: str, revision: str) -> None:
    from alembic import command
    from sqlalchemy import Connection

    from forecourt.storage.database import alembic_config

    def upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async def run() -> None:
        database = open_database(url)
        try:
            async with database.engine.begin() as connection:
                await connection.run_sync(upgrade)
        finally:
            await database.dispose()

    asyncio.run(run())
