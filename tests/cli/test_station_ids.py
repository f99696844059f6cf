"""``forecourt stations add`` applies the one station id rule (domain/stations.py)."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Cli


@pytest.mark.parametrize("bad", ["a:b", "a\tb", "a\r\nb", "<b>", "L" * 49, "caf\u00e9"])
def test_an_invalid_station_id_is_a_usage_error(cli: Cli, bad: str) -> None:
    result = cli("stations", "add", bad)
    assert result.exit_code == 2
    assert "a station id must be 1-48 characters of A-Z a-z 0-9 * - _ = + | @ ." in result.stderr
    assert cli.json("stations", "list") == []


def test_a_case_variant_of_a_station_is_refused(cli: Cli) -> None:
    cli.ok("stations", "add", "sec-a")
    result = cli("stations", "add", "SEC-A")
    assert result.exit_code == 1
    assert "differs only in letter case from station 'sec-a'" in result.stderr
    assert [s["id"] for s in cli.json("stations", "list")] == ["sec-a"]
