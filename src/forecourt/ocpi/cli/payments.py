"""``forecourt ocpi terminals ...`` and ``forecourt ocpi stations ...``: payment terminals of
Payment Terminal Providers (OCPI 2.3.0), their financial advice, and what each station
supports (its OCPI EVSE capabilities). Exit codes: 0 done, 1 refused or failed, 2 bad usage."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from forecourt.cli import render
from forecourt.cli.runtime import JsonFlag, print_json
from forecourt.ocpi.domain.capabilities import StationFeatures
from forecourt.ocpi.domain.payments import Terminal
from forecourt.ocpi.keys import OCPI

terminals_app = typer.Typer(
    help="Payment terminals PTPs registered (OCPI 2.3.0 payments).", no_args_is_help=True
)
stations_app = typer.Typer(
    help="What each station supports (its OCPI EVSE capabilities).", no_args_is_help=True
)
TerminalArg = Annotated[str, typer.Argument(metavar="TERMINAL", help="The terminal's id.")]
StationArg = Annotated[str, typer.Argument(metavar="STATION", help="The station's id.")]


def terminal_row(t: Terminal) -> dict[str, Any]:
    return {
        "terminal_id": t.terminal_id,
        "party": t.party_id,
        "active": t.active,
        "locations": ", ".join(t.location_ids),
        "evses": ", ".join(t.evse_uids),
        "reference": t.reference or t.customer_reference or "",
        "last_updated": t.last_updated.isoformat(),
    }


@terminals_app.command("list")
def list_terminals(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Every terminal, the locations and EVSEs it serves, active or not."""
    from forecourt.ocpi.cli.commands import _run

    rows = [terminal_row(t) for t in _run(ctx, lambda s: s.feature(OCPI).payments.terminals())]
    if as_json:
        print_json(rows)
        return
    columns = ("terminal_id", "party", "active", "locations", "evses", "last_updated")
    render.table("Payment terminals", columns, ([r[k] for k in columns] for r in rows))


@terminals_app.command("assign")
def assign(
    ctx: typer.Context,
    terminal: TerminalArg,
    location: Annotated[list[str] | None, typer.Option(help="Repeat: a site id.")] = None,
    evse: Annotated[list[str] | None, typer.Option(help="Repeat: an EVSE uid (STATION*N).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Set the locations and EVSEs the terminal serves (pushed to its PTP)."""
    from forecourt.ocpi.cli.commands import _run

    changed = _run(
        ctx,
        lambda s: s.feature(OCPI).payments.assign(terminal, list(location or ()), list(evse or ())),
    )
    _done(changed, as_json)


@terminals_app.command("activate")
def activate(ctx: typer.Context, terminal: TerminalArg, as_json: JsonFlag = False) -> None:
    """Activate the terminal at its PTP (it serves its locations again)."""
    from forecourt.ocpi.cli.commands import _run

    _done(_run(ctx, lambda s: s.feature(OCPI).payments.set_active(terminal, True)), as_json)


@terminals_app.command("deactivate")
def deactivate(ctx: typer.Context, terminal: TerminalArg, as_json: JsonFlag = False) -> None:
    """Deactivate the terminal (broken, moved): it serves nothing; its PTP is told."""
    from forecourt.ocpi.cli.commands import _run

    _done(_run(ctx, lambda s: s.feature(OCPI).payments.set_active(terminal, False)), as_json)


@terminals_app.command("advice")
def advice(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Financial advice confirmations: what each PTP captured, per authorization."""
    from forecourt.ocpi.cli.commands import _run

    found = _run(ctx, lambda s: s.feature(OCPI).payments.all_advice())
    rows = [
        {
            "id": a.id,
            "authorization_reference": a.authorization_reference,
            "total": f"{a.total} {a.currency}",
            "status": a.status.value,
            "session": a.transaction_id or "",
            "last_updated": a.last_updated.isoformat(),
        }
        for a in found
    ]
    if as_json:
        print_json(rows)
        return
    columns = ("id", "authorization_reference", "total", "status", "session", "last_updated")
    render.table("Financial advice", columns, ([r[k] for k in columns] for r in rows))


def _done(t: Terminal, as_json: bool) -> None:
    if as_json:
        print_json(terminal_row(t))
    else:
        state = "active" if t.active else "inactive"
        typer.echo(f"terminal {t.terminal_id}: {state}, serves {terminal_row(t)['locations']}")


@stations_app.command("show")
def show(ctx: typer.Context, station: StationArg, _as_json: JsonFlag = False) -> None:
    """What the station supports (JSON, with or without --json)."""
    from forecourt.ocpi.cli.commands import _run

    found = _run(ctx, lambda s: s.feature(OCPI).payments.features())
    print_json(_features_row(found.get(station, StationFeatures(station))))


@stations_app.command("set")
def set_features(
    ctx: typer.Context,
    station: StationArg,
    reservable: Annotated[bool, typer.Option(help="Takes reservations.")] = False,
    card_reader: Annotated[bool, typer.Option(help="Has a payment card reader.")] = False,
    pnc: Annotated[bool, typer.Option(help="ISO 15118-2 Plug & Charge enabled.")] = False,
    _as_json: JsonFlag = False,
) -> None:
    """Replace what the station supports (its OCPI EVSE capabilities)."""
    from forecourt.ocpi.cli.commands import _run

    features = StationFeatures(station, reservable, card_reader, pnc)
    print_json(_features_row(_run(ctx, lambda s: s.feature(OCPI).payments.set_features(features))))


def _features_row(f: StationFeatures) -> dict[str, Any]:
    return {
        "station_id": f.station_id,
        "reservable": f.reservable,
        "card_reader": f.card_reader,
        "plug_and_charge": f.plug_and_charge,
    }
