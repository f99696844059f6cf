"""Numbers beyond what storage binds are a usage error naming the argument (exit 2), never a
traceback (issue 9.10, the CLI's side)."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Cli

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "args",
    [
        ("transactions", "show", HUGE),
        ("transactions", "list", "--offset", HUGE),
        ("apikeys", "revoke", HUGE),
        ("tariffs", "unbind", HUGE),
        ("tickets", "show", HUGE),
        ("tickets", "ack", HUGE),
        ("kpis", "interop", "--days", HUGE),
        ("payments", "list", "--limit", HUGE),
    ],
    ids=lambda args: " ".join(a for a in args if a != HUGE),
)
def test_a_huge_number_is_a_usage_error(cli: Cli, args: tuple[str, ...]) -> None:
    result = cli(*args)

    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Invalid value for" in result.stderr
    assert "less than or equal to" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
