"""``forecourt ocpi parties ...``: roaming partners and the credentials handshake.

``add`` issues a token A to hand the partner out of band (it then registers with us);
``register`` runs the handshake the other way (the partner gave us its token A and versions
URL); ``unregister`` ends the relation. Exit codes: 0 done, 1 refused or failed, 2 bad usage.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer

from forecourt.cli import render
from forecourt.cli.runtime import EXIT_FAILED, EXIT_USAGE, JsonFlag, fail, print_json, with_services
from forecourt.domain.errors import InvalidInput
from forecourt.ocpi.domain.amenities import Amenities, Hours, ParkingRestriction, ParkingType
from forecourt.ocpi.domain.parties import Party
from forecourt.ocpi.domain.sessions import StoredCdr
from forecourt.ocpi.domain.status import OcpiError
from forecourt.ocpi.keys import OCPI
from forecourt.services.core import Services

T = TypeVar("T")

ocpi_app = typer.Typer(
    help="OCPI roaming: parties, the credentials handshake.", no_args_is_help=True
)
parties_app = typer.Typer(help="Roaming partners (eMSPs, hubs, PTPs).", no_args_is_help=True)
amenities_app = typer.Typer(help="A site's amenities and stall data.", no_args_is_help=True)
SiteArg = Annotated[str, typer.Argument(metavar="SITE", help="The site's id.")]
PartyArg = Annotated[int, typer.Argument(min=1, metavar="PARTY", help="The party's number.")]


tokens_app = typer.Typer(help="Tokens the eMSPs pushed to us.", no_args_is_help=True)
sessions_app = typer.Typer(help="Roaming sessions (partners' tokens).", no_args_is_help=True)
cdrs_app = typer.Typer(help="Roaming CDRs (immutable, as sent).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    from forecourt.ocpi.cli.payments import stations_app, terminals_app

    ocpi_app.add_typer(parties_app, name="parties")
    ocpi_app.add_typer(terminals_app, name="terminals")
    ocpi_app.add_typer(stations_app, name="stations")
    ocpi_app.add_typer(tokens_app, name="tokens")
    ocpi_app.add_typer(amenities_app, name="amenities")
    ocpi_app.add_typer(sessions_app, name="sessions")
    ocpi_app.add_typer(cdrs_app, name="cdrs")
    app.add_typer(ocpi_app, name="ocpi")


def _run(ctx: typer.Context, work: Callable[[Services], Awaitable[T]]) -> T:
    from forecourt.settings import Settings

    async def guarded(services: Services) -> T:
        try:
            return await work(services)
        except OcpiError as exc:
            fail(exc.message, EXIT_USAGE if exc.http_status in (400, 404) else EXIT_FAILED)

    return with_services(ctx, guarded, settings=Settings())


def party_row(party: Party) -> dict[str, Any]:
    return {
        "id": party.id,
        "name": party.name,
        "state": party.state.value,
        "version": party.version.value if party.version else "",
        "roles": ", ".join(f"{r.role.value} {r.ref}" for r in party.roles),
        "hub_party_id": party.hub_party_id,
        "last_sync_at": party.last_sync_at.isoformat() if party.last_sync_at else "",
    }


@parties_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Who the partner is (for operators).")],
    as_json: JsonFlag = False,
) -> None:
    """A new partner and its token A (give it, with our versions URL, to the partner)."""
    party = _run(ctx, lambda s: s.feature(OCPI).credentials.add_party(name))
    if as_json:
        print_json({**party_row(party), "token_a": party.token_in})
    else:
        typer.echo(f"party {party.id} ({name}): token A {party.token_in}")


@parties_app.command("list")
def list_parties(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Every partner with its state, version, roles and last sync."""
    rows = [party_row(p) for p in _run(ctx, lambda s: s.feature(OCPI).credentials.parties())]
    if as_json:
        print_json(rows)
        return
    columns = ("id", "name", "state", "version", "roles", "last_sync_at")
    render.table("OCPI parties", columns, ([r[k] for k in columns] for r in rows))


@parties_app.command("register")
def register_with(
    ctx: typer.Context,
    party_id: PartyArg,
    versions_url: Annotated[str, typer.Option(help="The partner's versions URL.")],
    token: Annotated[str, typer.Option(help="The token A the partner gave us.")],
    as_json: JsonFlag = False,
) -> None:
    """Register with the partner (credentials handshake, we start it)."""
    party = _run(ctx, lambda s: s.feature(OCPI).credentials.register(party_id, versions_url, token))
    _done(party, as_json)


@parties_app.command("unregister")
def unregister(ctx: typer.Context, party_id: PartyArg, as_json: JsonFlag = False) -> None:
    """End the relation: DELETE on the partner's credentials; its token stops working."""
    _done(_run(ctx, lambda s: s.feature(OCPI).credentials.unregister(party_id)), as_json)


def _done(party: Party, as_json: bool) -> None:
    if as_json:
        print_json(party_row(party))
    else:
        typer.echo(f"party {party.id} ({party.name}): {party.state.value}")


@tokens_app.command("list")
def list_tokens(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 500,
    as_json: JsonFlag = False,
) -> None:
    """Roaming tokens: issuer, uid, type, contract, valid, whitelist."""
    found = _run(ctx, lambda s: s.feature(OCPI).tokens.listing(limit))
    rows = [
        {
            "issuer": f"{t.country_code}-{t.party_id}",
            "uid": t.uid,
            "type": t.type.value,
            "contract_id": t.contract_id,
            "valid": t.valid,
            "whitelist": t.whitelist.value,
            "last_updated": t.last_updated.isoformat(),
        }
        for t in found
    ]
    if as_json:
        print_json(rows)
        return
    columns = ("issuer", "uid", "type", "contract_id", "valid", "whitelist", "last_updated")
    render.table("OCPI tokens", columns, ([r[k] for k in columns] for r in rows))


FEATURES = (
    "canopy",
    "restrooms",
    "food",
    "shop",
    "windshield_service",
    "attendant_on_duty",
    "lighting",
)


@amenities_app.command("show")
def show_amenities(ctx: typer.Context, site: SiteArg) -> None:
    """The site's amenities (JSON)."""
    amenities = _run(ctx, lambda s: s.feature(OCPI).locations.amenities(site))
    print_json(amenities.to_dict())


@amenities_app.command("set")
def set_amenities(
    ctx: typer.Context,
    site: SiteArg,
    feature: Annotated[
        list[str] | None, typer.Option(help=f"Repeat: one of {', '.join(FEATURES)}.")
    ] = None,
    open_24_7: Annotated[bool, typer.Option("--open-24-7", help="Open around the clock.")] = False,
    hours: Annotated[
        list[str] | None, typer.Option(help="Repeat: 'WEEKDAY HH:MM-HH:MM' (1 = Monday).")
    ] = None,
    accessible_stalls: Annotated[int, typer.Option(min=0)] = 0,
    pull_through_bays: Annotated[int, typer.Option(min=0)] = 0,
    parking_type: Annotated[str | None, typer.Option(help="e.g. PARKING_LOT.")] = None,
    restriction: Annotated[list[str] | None, typer.Option(help="Repeat: e.g. EV_ONLY.")] = None,
    image: Annotated[list[str] | None, typer.Option(help="Repeat: an image URL.")] = None,
) -> None:
    """Replace the site's amenities (what OCPI partners and driver pages show)."""
    unknown = set(feature or ()) - set(FEATURES)
    if unknown:
        fail(f"unknown feature(s) {', '.join(sorted(unknown))}; use {', '.join(FEATURES)}", 2)
    try:
        amenities = Amenities(
            **dict.fromkeys(feature or (), True),
            open_24_7=open_24_7,
            hours=tuple(Hours.parse(h) for h in hours or ()),
            accessible_stalls=accessible_stalls,
            pull_through_bays=pull_through_bays,
            parking_type=ParkingType(parking_type) if parking_type else None,
            parking_restrictions=tuple(ParkingRestriction(r) for r in restriction or ()),
            images=tuple(image or ()),
        )
    except (ValueError, InvalidInput) as exc:
        fail(str(exc), EXIT_USAGE)
    saved = _run(ctx, lambda s: s.feature(OCPI).locations.set_amenities(site, amenities))
    print_json(saved.to_dict())


PartyOption = Annotated[int | None, typer.Option("--party", min=1, help="Only this partner's.")]
LimitOption = Annotated[int, typer.Option(min=1, help="At most this many, newest first.")]


@sessions_app.command("list")
def list_sessions(
    ctx: typer.Context,
    party: PartyOption = None,
    limit: LimitOption = 100,
    as_json: JsonFlag = False,
) -> None:
    """Roaming sessions: partner, token, how authorized, energy, cost, status."""
    found = _run(ctx, lambda s: s.feature(OCPI).sessions.listing(party, limit))
    rows = [
        {
            "session_id": f.session.session_id,
            "party_id": f.session.party_id,
            "token": f"{f.session.token.country_code}-{f.session.token.party_id} "
            f"{f.session.token.uid}",
            "auth_method": f.session.auth_method.value,
            "authorization_reference": f.session.authorization_reference or "",
            "evse_uid": f.session.evse_uid,
            "kwh": round(f.energy_wh / 1000, 3),
            "total": f"{f.cost.total} {f.cost.currency}" if f.cost else "",
            "status": f.status.value,
            "started_at": f.started_at.isoformat(),
        }
        for f in found
    ]
    if as_json:
        print_json(rows)
        return
    columns = ("session_id", "party_id", "token", "auth_method", "kwh", "total", "status")
    render.table("OCPI sessions", columns, ([r[k] for k in columns] for r in rows))


def cdr_row(cdr: StoredCdr) -> dict[str, Any]:
    return {
        "id": cdr.id,
        "transaction_id": cdr.transaction_id,
        "party_id": cdr.party_id,
        "currency": cdr.currency,
        "total": cdr.total,
        "kwh": cdr.kwh,
        "created_at": cdr.created_at.isoformat(),
    }


@cdrs_app.command("list")
def list_cdrs(
    ctx: typer.Context,
    party: PartyOption = None,
    limit: LimitOption = 100,
    as_json: JsonFlag = False,
) -> None:
    """CDRs made for partners: id, session, total (taxes included), energy."""
    rows = [cdr_row(c) for c in _run(ctx, lambda s: s.feature(OCPI).cdrs.listing(party, limit))]
    if as_json:
        print_json(rows)
        return
    columns = ("id", "transaction_id", "party_id", "total", "currency", "kwh", "created_at")
    render.table("OCPI CDRs", columns, ([r[k] for k in columns] for r in rows))


@cdrs_app.command("show")
def show_cdr(
    ctx: typer.Context,
    cdr_id: Annotated[str, typer.Argument(metavar="CDR", help="The CDR's id.")],
    version: Annotated[str, typer.Option(help="The OCPI version's object.")] = "2.3.0",
) -> None:
    """One CDR as the partner got it (JSON)."""
    found = _run(ctx, lambda s: s.feature(OCPI).cdrs.one(cdr_id))
    if found is None:
        fail(f"no CDR {cdr_id}", EXIT_USAGE)
    if version not in found.bodies:
        fail(f"unknown version {version}; use {', '.join(sorted(found.bodies))}", EXIT_USAGE)
    print_json(found.bodies[version])
