"""The NEVI quarterly export as files: one JSON document, or four CSV files.

* ``sessions.csv``: per-port sessions (start, end, error codes of unsuccessful ones, kWh,
  peak kW, payment method), §680.112(a)(3)-(6);
* ``uptime.csv``: per port and month, μ with T_outage and T_excluded, §680.112(a)(7);
* ``outages.csv``: every outage with its duration in minutes, §680.112(a)(8);
* ``evchart_sessions.csv``: the per-session record with EV-ChART / EV Charging Use field names.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from forecourt.reliability.domain.cec import (
    HOURLY_COLUMNS,
    SEMIANNUAL_COLUMNS,
    CecUptime,
    HourlyPort,
    hourly_row,
    semiannual_row,
)
from forecourt.reliability.domain.evchart import SPEC, Problem
from forecourt.reliability.domain.export import (
    EVCHART_SESSION_COLUMNS,
    NEVI_SESSION_COLUMNS,
    OUTAGE_COLUMNS,
    UPTIME_COLUMNS,
    evchart_session_row,
    nevi_session_row,
    outage_row,
    to_csv,
    uptime_row,
)
from forecourt.reliability.domain.nevi import MINUTES_PER_YEAR
from forecourt.reliability.services.reports import NeviQuarter

FORMAT_NOTE = (
    "uptime_pct = ((525600 - (t_outage_min - t_excluded_min)) / 525600) * 100 over the twelve "
    "months ending with 'month' (23 CFR 680.116(b)); the 525,600 constant is used as written, "
    "also when the window contains 29 February. month_* columns cover that month only."
)


def quarter_json(report: NeviQuarter) -> dict[str, Any]:
    ports: dict[str, dict[str, Any]] = {}

    def port(station_id: str, port_id: str) -> dict[str, Any]:
        return ports.setdefault(
            port_id,
            {
                "station_id": station_id,
                "port_id": port_id,
                "uptime": [],
                "outages": [],
                "sessions": [],
            },
        )

    for uptime in report.uptime:
        row = uptime_row(uptime)
        port(row["station_id"], row["port_id"])["uptime"].append(row)
    for outage in report.outages:
        row = outage_row(outage)
        port(row["station_id"], row["port_id"])["outages"].append(row)
    for record, outcome in report.sessions:
        row = nevi_session_row(record, outcome)
        port(record.station_id, record.port_id)["sessions"].append(row)
    return {
        "quarter": report.label,
        "generated_at": report.generated_at.isoformat(),
        "minutes_per_year": MINUTES_PER_YEAR,
        "note": FORMAT_NOTE,
        "ports": [ports[key] for key in sorted(ports)],
        "evchart_sessions": [evchart_session_row(r, o) for r, o in report.sessions],
        "validation": {
            "specification": SPEC,
            "errors": [],  # an export with errors is refused before it is written
            "warnings": [_problem(p) for p in report.warnings],
        },
    }


def quarter_csv(report: NeviQuarter) -> dict[str, str]:
    """File name → CSV text."""
    sessions = [nevi_session_row(r, o) for r, o in report.sessions]
    return {
        "sessions.csv": to_csv(sessions, NEVI_SESSION_COLUMNS),
        "uptime.csv": to_csv((uptime_row(u) for u in report.uptime), UPTIME_COLUMNS),
        "outages.csv": to_csv((outage_row(o) for o in report.outages), OUTAGE_COLUMNS),
        "evchart_sessions.csv": to_csv(
            (evchart_session_row(r, o) for r, o in report.sessions), EVCHART_SESSION_COLUMNS
        ),
    }


CEC_NOTE = (
    "uptime_percent = (observed - (downtime - excluded)) / observed * 100 per port over the "
    "half-year in the site's time zone; excluded: vandalism (10 days per incident), grid power "
    "loss, natural disasters, planned maintenance (72 hours per calendar year). Column names "
    "are Forecourt's (docs/reliability.md#california-cec)."
)


def cec_rows(rows: Sequence[tuple[CecUptime, tzinfo]]) -> list[dict[str, object]]:
    return [semiannual_row(row, zone) for row, zone in rows]


def cec_csv(rows: Sequence[tuple[CecUptime, tzinfo]]) -> str:
    return to_csv(cec_rows(rows), SEMIANNUAL_COLUMNS)


def _problem(p: Problem) -> dict[str, Any]:
    return {"file": p.file, "row": p.row, "field": p.field, "value": p.value, "message": p.message}


def cec_hourly_csv(rows: Sequence[HourlyPort]) -> str:
    return to_csv((hourly_row(r) for r in rows), HOURLY_COLUMNS)
