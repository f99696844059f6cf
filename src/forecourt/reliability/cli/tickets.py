"""``forecourt faults|tickets ...``: what the detectors found, and the maintenance workflow."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import typer

from forecourt.cli import render
from forecourt.cli.runtime import JsonFlag, console, print_json, with_services
from forecourt.domain.limits import INT32_MAX, MAX_LOOKBACK_DAYS
from forecourt.reliability.domain.alerts import AlertRoute, Channel
from forecourt.reliability.domain.export import decimal_text
from forecourt.reliability.domain.model import FaultKind, Severity
from forecourt.reliability.domain.tickets import TicketState
from forecourt.reliability.keys import RELIABILITY

if TYPE_CHECKING:  # the services take a quarter second to import: `--help` needs none of them
    from forecourt.services.core import Services

faults_app = typer.Typer(help="Faults the detectors found; their thresholds.", no_args_is_help=True)
tickets_app = typer.Typer(help="Maintenance tickets and alert routes.", no_args_is_help=True)

Station = Annotated[str | None, typer.Option("--station", help="Only this station.")]
Site = Annotated[str | None, typer.Option("--site", help="Only this site.")]
Days = Annotated[int, typer.Option(min=1, max=MAX_LOOKBACK_DAYS, help="Look back this many days.")]


def _now() -> datetime:
    return datetime.now(UTC)


# -- faults ------------------------------------------------------------------------------------
@faults_app.command("list")
def list_faults(
    ctx: typer.Context,
    station: Station = None,
    active: Annotated[bool | None, typer.Option("--active/--all", help="Only active ones.")] = None,
    kind: Annotated[FaultKind | None, typer.Option(help="Only this kind.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_json: JsonFlag = False,
) -> None:
    """Faults found by the detectors, newest first, with their explanation."""
    found = with_services(
        ctx, lambda s: s.feature(RELIABILITY).tickets.faults(station, active, kind, limit)
    )
    items = [
        {
            "id": f.id,
            "ticket_id": f.ticket_id,
            "station_id": f.station_id,
            "evse_id": f.evse_id,
            "kind": f.kind.value,
            "confidence": round(f.confidence, 2),
            "active": f.active,
            "occurrences": f.occurrences,
            "last_seen": f.last_seen.isoformat(),
            "explanation": f.explanation,
            "evidence": f.evidence,
            "codes": _codes(f.evidence),
        }
        for f in found
    ]
    if as_json:
        print_json(items)
        return
    columns = ("id", "station_id", "evse_id", "kind", "codes", "active", "explanation")
    render.table("Faults", columns, ([r[c] for c in columns] for r in items))


@faults_app.command("chargex")
def chargex_codes(as_json: JsonFlag = False) -> None:
    """The ChargeX error codes (CX001…CX026) recognised, their meaning, category and source."""
    from forecourt.reliability.domain.chargex import CODES

    items = [c.as_dict() for c in CODES.values()]
    if as_json:
        print_json(items)
        return
    columns = ("code", "name", "category", "severity", "responsible", "meaning")
    render.table("ChargeX error codes", columns, ([r[c] for c in columns] for r in items))


def _codes(evidence: dict[str, Any]) -> str:
    """The ChargeX codes a fault's evidence lists ("CX001 ConnectorLockFailure, ..."), or ""."""
    codes = evidence.get("codes")
    if not isinstance(codes, list):
        return ""
    return ", ".join(
        f"{c.get('code')} {c.get('name')}".strip() for c in codes if isinstance(c, dict)
    )


@faults_app.command("thresholds")
def thresholds(
    ctx: typer.Context,
    model: Annotated[
        str | None, typer.Option(help="Station model (default: the defaults).")
    ] = None,
    set_values: Annotated[
        list[str] | None, typer.Option("--set", help="NAME=VALUE to override (repeat).")
    ] = None,
) -> None:
    """Show detector thresholds, or override them (for every model, or one)."""

    async def work(services: Services) -> dict[str, Any]:
        config = services.feature(RELIABILITY).config
        await config.load()
        if set_values:
            changes = dict(_assignment(item) for item in set_values)
            return (await config.set_thresholds(model, changes)).as_dict()
        current = config.current
        return (current.defaults if model is None else current.thresholds_for(model)).as_dict()

    print_json(with_services(ctx, work))


def _assignment(item: str) -> tuple[str, object]:
    name, sep, text = item.partition("=")
    if not sep:
        raise typer.BadParameter(f"use NAME=VALUE, not {item!r}")
    try:
        return name, json.loads(text)
    except json.JSONDecodeError:
        return name, text


# -- tickets -----------------------------------------------------------------------------------
@tickets_app.command("list")
def list_tickets(
    ctx: typer.Context,
    station: Station = None,
    site: Site = None,
    state: Annotated[list[TicketState] | None, typer.Option(help="Only these states.")] = None,
    kind: Annotated[FaultKind | None, typer.Option(help="Only tickets with this fault.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_json: JsonFlag = False,
) -> None:
    """Tickets, newest first."""
    from forecourt.reliability.ports import TicketFilter

    flt = TicketFilter(station, site, tuple(state or ()), None, kind, None, limit)
    found, total = with_services(ctx, lambda s: s.feature(RELIABILITY).tickets.list(flt))
    items = [_ticket_json(t) for t in found]
    if as_json:
        print_json({"items": items, "total": total})
        return
    columns = ("id", "state", "severity", "title", "opened_at", "resolve_due_at")
    render.table(f"Tickets ({total})", columns, ([r[c] for c in columns] for r in items))


@tickets_app.command("show")
def show_ticket(
    ctx: typer.Context,
    ticket_id: Annotated[int, typer.Argument(min=1, max=INT32_MAX, metavar="ID")],
    as_json: JsonFlag = False,
) -> None:
    """A ticket with its faults, history, SLA and uptime impact."""

    async def work(services: Services) -> tuple[Any, Decimal]:
        detail = await services.feature(RELIABILITY).tickets.detail(ticket_id)
        return detail, await services.feature(RELIABILITY).reports.impact_minutes(detail.ticket)

    detail, impact = with_services(ctx, work)
    item = {
        **_ticket_json(detail.ticket),
        "sla_breaches": detail.sla_breaches,
        "uptime_impact_min": decimal_text(impact),
        "faults": [
            {
                "kind": f.kind.value,
                "active": f.active,
                "codes": _codes(f.evidence),
                "explanation": f.explanation,
            }
            for f in detail.faults
        ],
        "events": [
            {"at": e.at.isoformat(), "actor": e.actor, "kind": e.kind, "data": e.data}
            for e in detail.events
        ],
    }
    if as_json:
        print_json(item)
        return
    render.fields(
        f"Ticket {ticket_id}", [(k, v) for k, v in item.items() if k not in ("faults", "events")]
    )
    render.table(
        "Faults",
        ("kind", "active", "codes", "explanation"),
        ([f[c] for c in ("kind", "active", "codes", "explanation")] for f in item["faults"]),
    )
    render.table(
        "History",
        ("at", "actor", "kind", "data"),
        ([e[c] for c in ("at", "actor", "kind", "data")] for e in item["events"]),
    )


def _move(target: TicketState) -> Any:
    def command(
        ctx: typer.Context,
        ticket_id: Annotated[int, typer.Argument(min=1, max=INT32_MAX, metavar="ID")],
        note: Annotated[str, typer.Option(help="Why, what was done.")] = "",
        by: Annotated[str, typer.Option(help="Who (kept in the history).")] = "cli",
    ) -> None:
        ticket = with_services(
            ctx, lambda s: s.feature(RELIABILITY).tickets.transition(ticket_id, target, by, note)
        )
        console.print(f"ticket {ticket.id} is {ticket.state.value}")

    command.__doc__ = f"Move a ticket to {target.value}."
    return command


for _name, _state in (
    ("ack", TicketState.ACKNOWLEDGED),
    ("start", TicketState.IN_PROGRESS),
    ("resolve", TicketState.RESOLVED),
    ("verify", TicketState.VERIFIED),
    ("reopen", TicketState.OPEN),
):
    tickets_app.command(_name)(_move(_state))


@tickets_app.command("note")
def note_ticket(
    ctx: typer.Context,
    ticket_id: Annotated[int, typer.Argument(min=1, max=INT32_MAX, metavar="ID")],
    text: Annotated[str, typer.Argument(help="The note.")],
    assign: Annotated[str | None, typer.Option(help="Assign the ticket to someone.")] = None,
    by: Annotated[str, typer.Option(help="Who.")] = "cli",
) -> None:
    """Add a note (and optionally assign the ticket)."""
    with_services(
        ctx, lambda s: s.feature(RELIABILITY).tickets.annotate(ticket_id, by, text, assign)
    )
    console.print(f"note added to ticket {ticket_id}")


@tickets_app.command("stats")
def ticket_stats(
    ctx: typer.Context, station: Station = None, site: Site = None, days: Days = 90
) -> None:
    """Time to acknowledge and to resolve, SLA breaches."""
    from forecourt.reliability.ports import TicketFilter

    flt = TicketFilter(station, site, since=_now() - timedelta(days=days), limit=100_000)
    stats = with_services(ctx, lambda s: s.feature(RELIABILITY).tickets.stats(flt))
    print_json({name: getattr(stats, name) for name in stats.__dataclass_fields__})


@tickets_app.command("route")
def add_route(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="Webhook URL or e-mail address.")],
    site: Site = None,
    min_severity: Annotated[
        Severity, typer.Option(help="Only tickets this bad or worse.")
    ] = Severity.MINOR,
    secret: Annotated[str, typer.Option(help="HMAC key that signs webhook bodies.")] = "",
) -> None:
    """Send alerts to a webhook (http/https) or an e-mail address."""
    channel = Channel.WEBHOOK if target.startswith(("http://", "https://")) else Channel.EMAIL
    route = AlertRoute(channel, target, site, min_severity, secret)
    saved = with_services(ctx, lambda s: s.feature(RELIABILITY).alerts.add_route(route))
    console.print(f"alert route {saved.id} added ({channel.value})")


@tickets_app.command("smtp")
def set_smtp(
    ctx: typer.Context,
    host: Annotated[str, typer.Argument()],
    port: Annotated[int, typer.Option(min=1, max=65535)] = 25,
    sender: Annotated[str, typer.Option(help="From address.")] = "forecourt@localhost",
    username: Annotated[str | None, typer.Option()] = None,
    password: Annotated[str | None, typer.Option(prompt=False, hide_input=True)] = None,
    starttls: Annotated[bool, typer.Option()] = False,
) -> None:
    """The SMTP server e-mail alerts go through."""
    from forecourt.ports.delivery import SmtpSettings

    smtp = SmtpSettings(host, port, sender, username, password, starttls)
    with_services(ctx, lambda s: s.feature(RELIABILITY).config.set_smtp(smtp))
    console.print(f"e-mail alerts go through {host}:{port}")


def _ticket_json(ticket: Any) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "station_id": ticket.station_id,
        "state": ticket.state.value,
        "severity": ticket.severity.value,
        "title": ticket.title,
        "kinds": ticket.kinds,
        "ports": ticket.ports,
        "opened_at": ticket.opened_at.isoformat(),
        "resolve_due_at": ticket.resolve_due_at.isoformat() if ticket.resolve_due_at else None,
        "assignee": ticket.assignee,
    }
