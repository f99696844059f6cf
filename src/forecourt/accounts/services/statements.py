"""A statement as a utility or landlord imports it: CSV (one row per session) and JSON."""

from __future__ import annotations

import csv
import io
from typing import Any

from forecourt.accounts.domain.accounts import Statement, StatementLine

CSV_COLUMNS = (
    "account_id",
    "account_reference",
    "month",
    "transaction_id",
    "site_id",
    "station_id",
    "evse_id",
    "token",
    "started_at",
    "stopped_at",
    "meter_start_wh",
    "meter_stop_wh",
    "energy_kwh",
    "price_per_kwh",
    "cost",
    "currency",
)


def statement_json(statement: Statement) -> dict[str, Any]:
    account = statement.account
    return {
        "account": {
            "id": account.id,
            "name": account.name,
            "kind": account.kind.value,
            "reference": account.reference,
        },
        "month": str(statement.month),
        "sites": statement.sites,
        "sessions": len(statement.lines),
        "energy_kwh": str(statement.energy_kwh),
        "totals": {currency: str(total) for currency, total in statement.totals.items()},
        "lines": [_line_json(line) for line in statement.lines],
    }


def statement_csv(statement: Statement) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in statement.lines:
        row = _line_json(line)
        writer.writerow(
            [statement.account.id, statement.account.reference, str(statement.month)]
            + [row[name] for name in CSV_COLUMNS[3:]]
        )
    return out.getvalue()


def _line_json(line: StatementLine) -> dict[str, Any]:
    return {
        "transaction_id": line.transaction_id,
        "site_id": line.site_id,
        "station_id": line.station_id,
        "evse_id": line.evse_id,
        "token": line.token,
        "started_at": line.started_at.isoformat(),
        "stopped_at": None if line.stopped_at is None else line.stopped_at.isoformat(),
        "meter_start_wh": line.meter_start_wh,
        "meter_stop_wh": line.meter_stop_wh,
        "energy_kwh": str(line.energy_kwh),
        "price_per_kwh": str(line.price_per_kwh),
        "cost": str(line.cost),
        "currency": line.currency,
    }
