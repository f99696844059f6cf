"""``forecourt reports|uptime|kpis|faults|tickets ...``: reliability, straight on the database.

Detectors run inside the server (they follow live events); these commands read what they
recorded, classify outages, move tickets and write the regulatory export.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from forecourt.cli import render
from forecourt.cli.runtime import JsonFlag, console, fail, print_json, with_services
from forecourt.domain.limits import INT32_MAX, MAX_LOOKBACK_DAYS
from forecourt.reliability.cli.tickets import faults_app, tickets_app
from forecourt.reliability.domain.export import outage_row, uptime_row
from forecourt.reliability.domain.kpis import Dimension
from forecourt.reliability.domain.model import Exclusion, ExclusionCause
from forecourt.reliability.keys import RELIABILITY

reports_app = typer.Typer(help="Regulatory reports (NEVI quarterly data).", no_args_is_help=True)
uptime_app = typer.Typer(help="Port uptime (NEVI), outages, excluded causes.", no_args_is_help=True)
kpis_app = typer.Typer(help="Session-reliability KPIs and interoperability.", no_args_is_help=True)
reliability_app = typer.Typer(
    help="California (CEC) uptime; which car it was (vehicle identification).",
    no_args_is_help=True,
)
cec_app = typer.Typer(help="California (CEC) uptime and reports.", no_args_is_help=True)
vehicles_app = typer.Typer(
    help="Vehicle identification: OUI, eMAID provider, a driver's car.", no_args_is_help=True
)
reliability_app.add_typer(cec_app, name="cec")
reliability_app.add_typer(vehicles_app, name="vehicles")

Station = Annotated[str | None, typer.Option("--station", help="Only this station.")]
Site = Annotated[str | None, typer.Option("--site", help="Only this site.")]
Days = Annotated[int, typer.Option(min=1, max=MAX_LOOKBACK_DAYS, help="Look back this many days.")]


def register(app: typer.Typer) -> None:
    app.add_typer(reports_app, name="reports")
    app.add_typer(uptime_app, name="uptime")
    app.add_typer(kpis_app, name="kpis")
    app.add_typer(faults_app, name="faults")
    app.add_typer(tickets_app, name="tickets")
    app.add_typer(reliability_app, name="reliability")


def _now() -> datetime:
    return datetime.now(UTC)


def _month(text: str | None) -> tuple[int, int]:
    if text is None:
        now = _now()
        return now.year, now.month
    try:
        year, month = (int(part) for part in text.split("-"))
    except ValueError:
        raise typer.BadParameter(f"a month looks like 2026-07, not {text!r}") from None
    return year, month


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"not an ISO 8601 time: {text!r}") from None
    if moment.tzinfo is None:
        raise typer.BadParameter(f"give the offset (e.g. Z): {text!r}")
    return moment.astimezone(UTC)


# -- reports --------------------------------------------------------------------------------------
@reports_app.command("nevi")
def nevi_report(
    ctx: typer.Context,
    quarter: Annotated[str, typer.Option(help="The quarter, e.g. 2026Q3.")],
    out: Annotated[
        Path | None, typer.Option(help="Directory for the files (default: print JSON).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or json (with --out).")] = "csv",
    station: Station = None,
    site: Site = None,
) -> None:
    """NEVI quarterly data (23 CFR 680.112(a)): sessions, uptime, outages, EV-ChART records."""
    from forecourt.reliability.services.export import quarter_csv, quarter_json

    report = with_services(
        ctx,
        lambda s: s.feature(RELIABILITY).reports.nevi_quarter(
            quarter, station_id=station, site_id=site
        ),
    )
    if out is None:
        print_json(quarter_json(report))
        return
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        target = out / f"nevi-{report.label}.json"
        target.write_text(json.dumps(quarter_json(report), indent=2))
        written = [target]
    elif fmt == "csv":
        written = []
        for name, text in quarter_csv(report).items():
            target = out / f"nevi-{report.label}-{name}"
            target.write_text(text)
            written.append(target)
    else:
        fail(f"--format is csv or json, not {fmt!r}", 2)
    for path in written:
        console.print(f"wrote {path}")


@cec_app.command("uptime")
def cec_uptime(
    ctx: typer.Context,
    half: Annotated[str, typer.Option(help="The half-year, e.g. 2026H1.")],
    out: Annotated[
        Path | None, typer.Option(help="Write the semiannual CSV here (default: print).")
    ] = None,
    station: Station = None,
    site: Site = None,
    as_json: JsonFlag = False,
) -> None:
    """CEC uptime per port for a half-year (97 % standard, the CEC's exclusions and limits)."""
    from forecourt.reliability.services.export import cec_csv, cec_rows

    rows = with_services(
        ctx,
        lambda s: s.feature(RELIABILITY).reports.cec_half(half, station_id=station, site_id=site),
    )
    columns = ("port_id", "uptime_percent", "meets_97_percent", "downtime_minutes",
               "excluded_minutes")  # fmt: skip
    title = f"CEC uptime {half}"
    _cec_out(out, lambda: cec_csv(rows), lambda: cec_rows(rows), as_json, title, columns)


@cec_app.command("hourly")
def cec_hourly(
    ctx: typer.Context,
    day: Annotated[str, typer.Option(help="The day, e.g. 2026-07-03 (each site's own hours).")],
    out: Annotated[Path | None, typer.Option(help="Write the CSV here (default: print).")] = None,
    station: Station = None,
    site: Site = None,
    as_json: JsonFlag = False,
) -> None:
    """CEC interval data: per port and local hour, observed, down and excluded minutes."""
    from forecourt.reliability.domain.cec import hourly_row
    from forecourt.reliability.services.export import cec_hourly_csv

    rows = with_services(
        ctx,
        lambda s: s.feature(RELIABILITY).reports.cec_hourly(day, station_id=station, site_id=site),
    )
    columns = ("port_id", "hour_start", "up", "downtime_minutes", "excluded_minutes")
    _cec_out(
        out,
        lambda: cec_hourly_csv(rows),
        lambda: [hourly_row(r) for r in rows],
        as_json,
        f"CEC hours {day}",
        columns,
    )


def _cec_out(
    out: Path | None,
    csv_text: Callable[[], str],
    items: Callable[[], list[dict[str, Any]]],
    as_json: bool,
    title: str,
    columns: tuple[str, ...],
) -> None:
    """A CEC export: the official CSV to a file, or the rows as JSON or a table."""
    if out is not None:
        out.write_text(csv_text())
        console.print(f"wrote {out}")
        return
    rows = items()
    if as_json:
        print_json(rows)
        return
    render.table(title, columns, ([r[c] for c in columns] for r in rows))


@vehicles_app.command("set")
def set_vehicle(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="driver_choice, emaid_provider or oui.")],
    key: Annotated[str, typer.Argument(help="The token, e.g. US-TSL, or e.g. AA:BB:CC.")],
    vehicle: Annotated[str, typer.Argument(help='The car, e.g. "Kia EV6 2023".')],
) -> None:
    """Map an OUI, an eMAID provider or a driver's token ("my car") to a vehicle."""
    rule = with_services(
        ctx, lambda s: s.feature(RELIABILITY).vehicles.set_rule(kind, key, vehicle, "cli")
    )
    console.print(f"{rule.kind.value} {rule.key} → {rule.vehicle}")


@vehicles_app.command("list")
def list_vehicle_rules(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The vehicle identification rules."""
    rules = with_services(ctx, lambda s: s.feature(RELIABILITY).vehicles.rules())
    items = [{"kind": r.kind.value, "key": r.key, "vehicle": r.vehicle} for r in rules]
    if as_json:
        print_json(items)
        return
    columns = ("kind", "key", "vehicle")
    render.table("Vehicle rules", columns, ([r[c] for c in columns] for r in items))


@vehicles_app.command("remove")
def remove_vehicle_rule(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="driver_choice, emaid_provider or oui.")],
    key: Annotated[str, typer.Argument(help="The rule's key.")],
) -> None:
    """Forget a vehicle rule."""
    with_services(ctx, lambda s: s.feature(RELIABILITY).vehicles.remove_rule(kind, key))
    console.print(f"removed {kind} {key}")


@vehicles_app.command("identify")
def identify_vehicle(
    ctx: typer.Context,
    token: Annotated[str, typer.Argument(help="An idTag, eMAID or MAC (VID:…).")],
    as_json: JsonFlag = False,
) -> None:
    """The car a token identifies, how, and with what confidence."""
    found = with_services(ctx, lambda s: s.feature(RELIABILITY).vehicles.identify(token))
    item = {
        "token": token,
        "vehicle": found.vehicle if found else None,
        "identified_by": found.source.value if found else None,
        "confidence": found.confidence if found else 0.0,
    }
    if as_json:
        print_json(item)
        return
    render.fields("Vehicle", list(item.items()))


# -- uptime ------------------------------------------------------------------------------------
@uptime_app.command("show")
def show_uptime(
    ctx: typer.Context,
    month: Annotated[str | None, typer.Option(help="YYYY-MM (default: this month).")] = None,
    station: Station = None,
    site: Site = None,
    as_json: JsonFlag = False,
) -> None:
    """μ per port over the twelve months ending with MONTH, with T_outage and T_excluded."""
    year, number = _month(month)
    rows = with_services(
        ctx,
        lambda s: s.feature(RELIABILITY).reports.uptime(
            year, number, station_id=station, site_id=site
        ),
    )
    items = [uptime_row(row) for row in rows]
    if as_json:
        print_json(items)
        return
    columns = ("port_id", "uptime_pct", "t_outage_min", "t_excluded_min", "month_outage_min")
    render.table(f"Uptime {year}-{number:02d}", columns, ([r[c] for c in columns] for r in items))


@uptime_app.command("outages")
def list_outages(
    ctx: typer.Context, station: Station = None, days: Days = 30, as_json: JsonFlag = False
) -> None:
    """Outages (consecutive down time of a port) with their conditions and exclusions."""
    end = _now()
    found = with_services(
        ctx,
        lambda s: s.feature(RELIABILITY).reports.outages(
            end - timedelta(days=days), end, station_id=station
        ),
    )
    items = [outage_row(o) for o in found]
    if as_json:
        print_json(items)
        return
    columns = (
        "port_id",
        "outage_start",
        "outage_end",
        "duration_min",
        "excluded_min",
        "conditions",
    )
    render.table("Outages", columns, ([r[c] for c in columns] for r in items))


@uptime_app.command("exclude")
def exclude(
    ctx: typer.Context,
    station_id: Annotated[str, typer.Argument(metavar="STATION")],
    start: Annotated[str, typer.Option(help="ISO 8601 with offset, e.g. 2026-07-04T10:00Z.")],
    end: Annotated[str, typer.Option(help="ISO 8601 with offset.")],
    cause: Annotated[ExclusionCause, typer.Option(help="Why the outage was outside your control.")],
    evse: Annotated[
        int | None, typer.Option(min=1, max=INT32_MAX, help="Only this port (default: every port).")
    ] = None,
    evidence: Annotated[
        list[str] | None, typer.Option(help="Ticket no., photo URL... (repeat).")
    ] = None,
    note: Annotated[str, typer.Option(help="Free text.")] = "",
) -> None:
    """Classify outage time as excluded (T_excluded), keeping the evidence."""
    exclusion = Exclusion(
        station_id, evse, _instant(start), _instant(end), cause, list(evidence or []), note, "cli"
    )
    saved = with_services(ctx, lambda s: s.feature(RELIABILITY).reports.classify(exclusion))
    console.print(f"exclusion {saved.id} recorded ({cause.value})")


@uptime_app.command("exclusions")
def list_exclusions(ctx: typer.Context, station: Station = None, as_json: JsonFlag = False) -> None:
    """Classified outage time."""
    found = with_services(ctx, lambda s: s.feature(RELIABILITY).reports.exclusions(station))
    items = [
        {
            "id": e.id,
            "station_id": e.station_id,
            "evse_id": e.evse_id,
            "start": e.start.isoformat(),
            "end": e.end.isoformat(),
            "cause": e.cause.value,
            "evidence": e.evidence,
        }
        for e in found
    ]
    if as_json:
        print_json(items)
        return
    columns = ("id", "station_id", "evse_id", "start", "end", "cause")
    render.table("Exclusions", columns, ([r[c] for c in columns] for r in items))


# -- KPIs --------------------------------------------------------------------------------------
@kpis_app.command("show")
def show_kpis(
    ctx: typer.Context,
    by: Annotated[Dimension, typer.Option(help="Group by.")] = Dimension.STATION,
    days: Days = 30,
    station: Station = None,
    site: Site = None,
    as_json: JsonFlag = False,
) -> None:
    """First-attempt success, failed visits, attempts per visit, zero-energy and short sessions."""
    end = _now()
    rows = with_services(
        ctx,
        lambda s: s.feature(RELIABILITY).reports.kpis(
            by, end - timedelta(days=days), end, station_id=station, site_id=site
        ),
    )
    items = [
        {
            "key": r.key,
            "attempts": r.attempts,
            "visits": r.visits,
            "success_rate": _pct(r.success_rate),
            "charging_success_rate": _pct(r.charging_success_rate),
            "chargex_charge_start_success_rate": _pct(r.chargex_charge_start_success_rate),
            "chargex_session_success_rate": _pct(r.chargex_session_success_rate),
            "chargex_charge_end_success_rate": _pct(r.chargex_charge_end_success_rate),
            "first_attempt_success_rate": _pct(r.first_attempt_success_rate),
            "failed_visit_rate": _pct(r.failed_visit_rate),
            "attempts_per_visit": r.attempts_per_visit,
            "zero_energy": r.zero_energy,
            "short": r.short,
            "stop_reasons": dict(r.stop_reasons),
        }
        for r in rows
    ]
    if as_json:
        print_json(items)
        return
    columns = (
        "key",
        "attempts",
        "visits",
        "success_rate",
        "charging_success_rate",
        "first_attempt_success_rate",
        "failed_visit_rate",
        "zero_energy",
    )
    render.table(f"KPIs by {by.value}", columns, ([r[c] for c in columns] for r in items))


@kpis_app.command("interop")
def interop(
    ctx: typer.Context, days: Days = 30, site: Site = None, as_json: JsonFlag = False
) -> None:
    """Vehicle × station model/firmware: attempts and success rate."""
    end = _now()
    cells = with_services(
        ctx,
        lambda s: s.feature(RELIABILITY).reports.interop(
            end - timedelta(days=days), end, site_id=site
        ),
    )
    items = [
        {
            "vehicle": c.vehicle,
            "station": c.station,
            "attempts": c.attempts,
            "success": _pct(c.success_rate),
            "identified_by": ", ".join(c.sources),
            "confidence": c.confidence,
        }
        for c in cells
    ]
    if as_json:
        print_json(items)
        return
    columns = ("vehicle", "station", "attempts", "success", "identified_by")
    render.table("Interoperability", columns, ([r[c] for c in columns] for r in items))


def _pct(value: float | None) -> str | None:
    return None if value is None else f"{value:.1%}"
