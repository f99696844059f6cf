"""The statement arithmetic and its CSV, and the accounts CLI's usage errors."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecourt.accounts.domain.accounts import (
    Account,
    AccountKind,
    BilledSite,
    Month,
    Statement,
    StatementLine,
    line_cost,
)
from forecourt.accounts.services.statements import CSV_COLUMNS, statement_csv, statement_json
from forecourt.cli.main import app

SITE = BilledSite("ELM", Decimal("0.32"), "EUR")


def test_months_run_from_the_first_to_the_next_first_utc() -> None:
    december = Month.parse("2026-12")
    assert december.start == datetime(2026, 12, 1, tzinfo=UTC)
    assert december.end == datetime(2027, 1, 1, tzinfo=UTC)
    assert str(Month.parse("2027-02")) == "2027-02"
    for bad in ("2026-13", "2026-00", "26-12", "2026-1", "2026-12-01"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            Month.parse(bad)


@pytest.mark.parametrize(
    ("energy_wh", "kwh", "cost"),
    [(7_412.0, "7.412", "2.37"), (0.4, "0.000", "0.00"), (1_562.5, "1.563", "0.50"),
     (15_625.0, "15.625", "5.00")],
)  # fmt: skip
def test_energy_to_the_watt_hour_and_cost_to_the_cent(
    energy_wh: float, kwh: str, cost: str
) -> None:
    assert line_cost(energy_wh, SITE) == (Decimal(kwh), Decimal(cost))


def _line(tx: int, energy_wh: float, currency: str = "EUR") -> StatementLine:
    energy, cost = line_cost(energy_wh, BilledSite("ELM", SITE.price_per_kwh, currency))
    at = datetime(2026, 12, tx, 18, tzinfo=UTC)
    return StatementLine(tx, "ELM", "AC-1", 1, "TOKEN", at, at, 100.0, 100.0 + energy_wh,
                         energy, SITE.price_per_kwh, cost, currency)  # fmt: skip


def test_totals_per_currency_and_csv_rows() -> None:
    account = Account("util-1", "Flat 3", AccountKind.UTILITY, "CUST-1")
    statement = Statement(account, Month(2026, 12), (_line(1, 10_000), _line(2, 5_000),
                                                     _line(3, 1_000, "USD")))  # fmt: skip
    assert statement.energy_kwh == Decimal("16.000")
    assert statement.totals == {"EUR": Decimal("4.80"), "USD": Decimal("0.32")}
    assert statement_json(statement)["totals"] == {"EUR": "4.80", "USD": "0.32"}
    rows = list(csv.DictReader(io.StringIO(statement_csv(statement))))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [(r["transaction_id"], r["cost"], r["account_reference"]) for r in rows] == [
        ("1", "3.20", "CUST-1"), ("2", "1.60", "CUST-1"), ("3", "0.32", "CUST-1")
    ]  # fmt: skip


def test_cli_refuses_bad_input_precisely(tmp_path: Path) -> None:
    env = {"FORECOURT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "COLUMNS": "200"}
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"], env=env).exit_code == 0
    month = runner.invoke(app, ["accounts", "statement", "util-1", "2026-13"], env=env)
    assert (month.exit_code, "YYYY-MM" in month.stderr) == (2, True)
    missing = runner.invoke(app, ["accounts", "statement", "util-1", "2026-12"], env=env)
    assert (missing.exit_code, "account 'util-1' not found" in missing.stderr) == (1, True)
    price = runner.invoke(app, ["accounts", "bill-site", "ELM", "--price", "cheap"], env=env)
    assert price.exit_code == 2
    unknown_site = runner.invoke(app, ["accounts", "bill-site", "ELM", "--price", "0.3"], env=env)
    assert (unknown_site.exit_code, "site 'ELM' not found" in unknown_site.stderr) == (1, True)
    bad_id = runner.invoke(app, ["accounts", "create", "bad id", "--name", "X"], env=env)
    assert bad_id.exit_code == 2
    created = runner.invoke(app, ["accounts", "create", "util-1", "--name", "Flat 3"], env=env)
    assert created.exit_code == 0
    again = runner.invoke(app, ["accounts", "create", "util-1", "--name", "Flat 3"], env=env)
    assert again.exit_code == 1
    listed = runner.invoke(app, ["accounts", "list", "--json"], env=env)
    assert '"util-1"' in listed.stdout
