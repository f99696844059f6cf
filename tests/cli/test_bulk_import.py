"""``forecourt stations import`` and ``forecourt tokens import``: the whole file is checked
first (every problem reported with line, column and reason; nothing written on any error),
rows are idempotent, so importing the same file again changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import Cli


def stations_csv(tmp_path: Path, count: int) -> Path:
    lines = ["id,site,password,connectors"]
    lines += [f"BULK-{n:03d},main,pw-{n:03d}-long-enough,1/1:ccs1:150 1/2:nacs:150"
              for n in range(1, count + 1)]  # fmt: skip
    path = tmp_path / "stations.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def real_cli(cli: Cli, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FORECOURT_DATABASE_URL": cli.database_url, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "forecourt.cli.main", *args],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


def test_two_hundred_stations_import_once_then_nothing_changes(cli: Cli, tmp_path: Path) -> None:
    cli.ok("sites", "add", "main", "--name", "Main Street")
    path = stations_csv(tmp_path, 200)

    first = real_cli(cli, "stations", "import", str(path))
    again = real_cli(cli, "stations", "import", str(path))

    assert first.returncode == 0, first.stderr
    assert "200 added, 0 updated, 0 unchanged" in first.stdout
    assert again.returncode == 0, again.stderr
    assert "0 added, 0 updated, 200 unchanged" in again.stdout
    stations = cli.json("stations", "list")
    assert len(stations) == 200
    shown = cli.json("stations", "show", "BULK-200")
    plugs = [(c["connector_id"], c["type"]) for e in shown["evses"] for c in e["connectors"]]
    assert plugs == [(1, "ccs1"), (2, "nacs")]


def test_a_changed_row_updates_only_that_station(cli: Cli, tmp_path: Path) -> None:
    cli.ok("sites", "add", "main", "--name", "Main Street")
    cli.ok("sites", "add", "north", "--name", "North")
    path = stations_csv(tmp_path, 3)
    cli.ok("stations", "import", str(path))
    path.write_text(path.read_text().replace("BULK-002,main", "BULK-002,north"))

    result = cli.ok("stations", "import", str(path))

    assert "0 added, 1 updated, 2 unchanged" in result.stdout
    assert cli.json("stations", "show", "BULK-002")["site_id"] == "north"


def test_every_bad_row_is_reported_and_nothing_is_written(cli: Cli, tmp_path: Path) -> None:
    cli.ok("sites", "add", "main", "--name", "Main Street")
    path = tmp_path / "bad.csv"
    path.write_text(
        "id,site,password,connectors\n"
        "GOOD-1,main,,1/1:ccs1:150\n"
        "bad/id,main,,\n"
        "GOOD-2,nowhere,,\n"
        "GOOD-1,main,,\n"
        "GOOD-3,main,,1/1:plug9\n"
        "GOOD-4,main,,1/1:ccs1:-5\n"
    )

    result = real_cli(cli, "stations", "import", str(path))

    assert result.returncode == 2
    err = " ".join(result.stderr.split())
    assert "line 3, id: a station id must be 1-48 characters" in err
    assert "line 4, site: no site 'nowhere'" in err
    assert "line 5, id: 'GOOD-1' is also on line 2" in err
    assert "line 6, connectors: '1/1:plug9': unknown plug type" in err
    assert "line 7, connectors: '1/1:ccs1:-5': power '-5' must be a positive number" in err
    assert "5 error(s); nothing was imported" in err
    assert cli.json("stations", "list") == []


def test_unknown_and_missing_columns_are_header_errors(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("station,site\nX,main\n")

    result = cli("stations", "import", str(path))

    assert result.exit_code == 2
    err = " ".join(result.stderr.split())
    assert "line 1, station: unknown column" in err
    assert "line 1, id: required column is missing" in err


def test_tokens_import_checks_rows_and_is_idempotent(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad-tokens.csv"
    bad.write_text("tag,kind,expires\nCARD-1,rfid,2027-01-31\nCARD-2,badge,\nCARD-3,,31/01/2027\n")
    good = tmp_path / "tokens.csv"
    good.write_text("tag,kind,expires,group,label\nCARD-1,rfid,2027-01-31,fleet,van 1\n"
                    "CARD-2,emaid,,,\n")  # fmt: skip

    rejected = cli("tokens", "import", str(bad))
    first = cli.ok("tokens", "import", str(good))
    again = cli.ok("tokens", "import", str(good))

    assert rejected.exit_code == 2
    err = " ".join(rejected.stderr.split())
    assert "line 3, kind: use one of" in err
    assert "line 4, expires: not an ISO 8601 date" in err
    assert "2 added" in first.stdout
    assert "2 unchanged" in again.stdout
    tokens = {t["value"]: t for t in cli.json("tokens", "list")}
    assert set(tokens) == {"CARD-1", "CARD-2"}
    assert tokens["CARD-1"]["group"] == "fleet"
