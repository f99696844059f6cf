"""``forecourt sites|stations|connectors ...``: the physical network, straight on the database."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from forecourt.cli import render
from forecourt.cli.bulk import CsvFile, run_import
from forecourt.cli.runtime import JsonFlag, console, print_json, with_services
from forecourt.domain.connectors import ConnectorType, PowerType
from forecourt.domain.limits import INT32_MAX
from forecourt.domain.ratings import RatingOverrides, rating_with_defaults
from forecourt.domain.stations import RegistrationStatus, Site, Station

if TYPE_CHECKING:
    from forecourt.services.core import Services

sites_app = typer.Typer(help="Sites: where stations stand.", no_args_is_help=True)
stations_app = typer.Typer(help="Stations: register, inspect, approve.", no_args_is_help=True)
connectors_app = typer.Typer(
    help="Connectors: plug type and rating (retrofits included).", no_args_is_help=True
)

StationId = Annotated[str, typer.Argument(metavar="STATION", help="The station's OCPP identity.")]


# -- sites -----------------------------------------------------------------------------------
@sites_app.command("add")
def add_site(
    ctx: typer.Context,
    site_id: Annotated[str, typer.Argument(metavar="ID", help="Short id, e.g. AUS-1.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    address: Annotated[str, typer.Option(help="Street address.")] = "",
    timezone: Annotated[str, typer.Option(help="IANA time zone.")] = "UTC",
) -> None:
    """Add a site."""
    site = Site(site_id, name, address, timezone)
    with_services(ctx, lambda services: services.network.add_site(site))
    console.print(f"site {site_id} added")


@sites_app.command("list")
def list_sites(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List sites."""
    from forecourt.api.schemas import SiteOut  # the API package is slow to import: here only

    items = [SiteOut.from_domain(s) for s in with_services(ctx, lambda s: s.network.sites())]
    if as_json:
        print_json([item.model_dump(mode="json") for item in items])
    else:
        render.sites(items)


# -- stations --------------------------------------------------------------------------------
@stations_app.command("add")
def add_station(
    ctx: typer.Context,
    station_id: Annotated[str, typer.Argument(metavar="ID", help="The station's OCPP identity.")],
    password: Annotated[
        str | None, typer.Option(help="Basic auth password (security profile 1/2).")
    ] = None,
    site: Annotated[str | None, typer.Option(help="The site it stands at.")] = None,
) -> None:
    """Register a station (it may then connect to /ocpp/ID)."""
    with_services(ctx, lambda s: s.network.add_station(station_id, password=password, site_id=site))
    console.print(f"station {station_id} added")


@stations_app.command("import")
def import_stations(ctx: typer.Context, path: CsvFile) -> None:
    """Add or update stations from CSV: id,site,password,connectors (see docs/cli.md).

    Every row is checked first; on any error nothing is written. Re-importing is safe.
    """
    from forecourt.services.bulk_import import import_stations as importer

    run_import(ctx, path, "stations", importer)


@stations_app.command("list")
def list_stations(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Option(help="Only this site's stations.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List stations (connection state as last recorded by the server)."""
    found = with_services(ctx, lambda s: s.network.stations(site))
    from forecourt.api.schemas import StationSummary

    items = [StationSummary.from_domain(s, connected=s.connected) for s in found]
    if as_json:
        print_json([item.model_dump(mode="json") for item in items])
    else:
        render.stations(items)


@stations_app.command("show")
def show_station(ctx: typer.Context, station_id: StationId, as_json: JsonFlag = False) -> None:
    """A station with its EVSEs and connectors."""
    found = with_services(ctx, lambda s: s.network.station(station_id))
    from forecourt.api.schemas import StationOut

    item = StationOut.from_domain(found, connected=found.connected)
    if as_json:
        print_json(item.model_dump(mode="json"))
    else:
        render.station(item)


@stations_app.command("approve")
def approve_station(ctx: typer.Context, station_id: StationId) -> None:
    """Accept a pending (or rejected) station at its next boot."""
    _set_registration(ctx, station_id, RegistrationStatus.ACCEPTED)


@stations_app.command("reject")
def reject_station(ctx: typer.Context, station_id: StationId) -> None:
    """Refuse a station at its next boot."""
    _set_registration(ctx, station_id, RegistrationStatus.REJECTED)


def _set_registration(ctx: typer.Context, station_id: str, status: RegistrationStatus) -> None:
    with_services(ctx, lambda s: s.network.update_station(station_id, registration=status))
    console.print(f"station {station_id} {status.value}")


@stations_app.command("set-password")
def set_password(
    ctx: typer.Context,
    station_id: StationId,
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, help="Asked when not given."
        ),
    ],
) -> None:
    """Set the station's Basic auth password (it must then connect with it)."""
    if not password:
        raise typer.BadParameter("the password must not be empty", param_hint="--password")
    with_services(ctx, lambda s: s.network.update_station(station_id, password=password))
    console.print(f"password of station {station_id} set")


# -- connectors ------------------------------------------------------------------------------
EvseArg = Annotated[
    int, typer.Argument(min=1, max=INT32_MAX, metavar="EVSE", help="EVSE number, from 1.")
]
ConnectorArg = Annotated[
    int,
    typer.Argument(
        min=1, max=INT32_MAX, metavar="CONNECTOR", help="Connector number within the EVSE."
    ),
]


def _positive(value: float | None) -> float | None:
    if value is not None and value <= 0:
        raise typer.BadParameter("must be positive")
    return value


PositiveOption = Annotated[float | None, typer.Option(callback=_positive)]


@connectors_app.command("set")
def set_connector(
    ctx: typer.Context,
    station_id: StationId,
    evse_id: EvseArg,
    connector_id: ConnectorArg,
    connector_type: Annotated[
        ConnectorType, typer.Option("--type", help="Plug standard at the end of the cable.")
    ],
    built_in_plug: Annotated[
        ConnectorType | None,
        typer.Option(help="Plug a built-in adapter presents too (Magic Dock: ccs1 on nacs)."),
    ] = None,
    power_type: Annotated[PowerType | None, typer.Option(help="Default: the type's.")] = None,
    max_power_kw: PositiveOption = None,
    max_current_a: PositiveOption = None,
    max_voltage_v: PositiveOption = None,
    cooled_cable: Annotated[bool | None, typer.Option("--cooled-cable/--uncooled-cable")] = None,
    cable_length_m: PositiveOption = None,
) -> None:
    """Declare or change a connector; rating values not given come from the plug type."""
    overrides = RatingOverrides(
        power_type=power_type,
        max_voltage_v=max_voltage_v,
        max_current_a=max_current_a,
        max_power_w=None if max_power_kw is None else max_power_kw * 1000,
        cooled_cable=cooled_cable,
        cable_length_m=cable_length_m,
    )

    from forecourt.api.schemas import StationOut
    from forecourt.services.network import ConnectorSpec

    async def declare(services: Services) -> Station:
        rating = rating_with_defaults(connector_type, overrides)
        spec = ConnectorSpec(evse_id, connector_id, connector_type, rating, built_in_plug)
        return await services.network.set_connector(station_id, spec)

    station = with_services(ctx, declare)
    render.station(StationOut.from_domain(station, connected=station.connected))


@connectors_app.command("remove")
def remove_connector(
    ctx: typer.Context, station_id: StationId, evse_id: EvseArg, connector_id: ConnectorArg
) -> None:
    """Remove a connector (its status and transaction history are kept)."""
    with_services(ctx, lambda s: s.network.remove_connector(station_id, evse_id, connector_id))
    console.print(f"connector {station_id}/{evse_id}/{connector_id} removed")


def register(app: typer.Typer) -> None:
    """Add ``sites``, ``stations`` and ``connectors`` (with retrofits) to ``app``."""
    from forecourt.cli import retrofit

    if not any(info.name == "convert" for info in connectors_app.registered_commands):
        retrofit.register(connectors_app)
    app.add_typer(sites_app, name="sites")
    app.add_typer(stations_app, name="stations")
    app.add_typer(connectors_app, name="connectors")
