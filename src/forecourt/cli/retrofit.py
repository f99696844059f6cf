"""``forecourt connectors add|convert|retrofits``: retrofits that keep a station's history.

``add`` puts a new cable on an existing EVSE (a NACS cable beside the CCS1 one); ``convert``
changes a cable's plug type and rating in place.  Both refuse while the EVSE charges.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from forecourt.cli import render
from forecourt.cli.runtime import JsonFlag, print_json, with_services
from forecourt.domain.connectors import ConnectorType, PowerType
from forecourt.domain.limits import INT32_MAX
from forecourt.domain.ratings import RatingOverrides, rating_with_defaults

if TYPE_CHECKING:  # services and the API package are slow to import: `--help` needs neither
    from forecourt.api.schemas.equipment import RetrofitOut
    from forecourt.domain.events import StationEvent
    from forecourt.services.core import Services
    from forecourt.services.equipment import Retrofit
    from forecourt.services.network import ConnectorSpec


def register(connectors_app: typer.Typer) -> None:
    """Add ``add``, ``convert`` and ``retrofits`` to the ``connectors`` group."""
    connectors_app.command("add")(add_connector)
    connectors_app.command("convert")(convert_connector)
    connectors_app.command("retrofits")(list_retrofits)


def positive(value: float | None) -> float | None:
    """Option callback: ratings and lengths are positive (a usage error otherwise)."""
    if value is not None and value <= 0:
        raise typer.BadParameter("must be positive")
    return value


StationArg = Annotated[str, typer.Argument(metavar="STATION", help="The station's OCPP identity.")]
EvseArg = Annotated[
    int, typer.Argument(min=1, max=INT32_MAX, metavar="EVSE", help="EVSE number, from 1.")
]
ConnectorArg = Annotated[
    int,
    typer.Argument(
        min=1, max=INT32_MAX, metavar="CONNECTOR", help="Connector number within the EVSE."
    ),
]
TypeOption = Annotated[
    ConnectorType,
    typer.Option("--type", help="Plug standard at the end of the cable.", show_default=False),
]
PowerTypeOption = Annotated[PowerType | None, typer.Option(help="Default: the type's.")]
MaxPowerKwOption = Annotated[
    float | None,
    typer.Option(callback=positive, help="Rated power, kW.", show_default=False),
]
MaxCurrentAOption = Annotated[
    float | None,
    typer.Option(callback=positive, help="Rated current, A.", show_default=False),
]
MaxVoltageVOption = Annotated[
    float | None,
    typer.Option(callback=positive, help="Rated voltage, V.", show_default=False),
]
CableLengthOption = Annotated[
    float | None, typer.Option(callback=positive, help="Cable length, m.", show_default=False)
]
CooledOption = Annotated[bool | None, typer.Option("--cooled-cable/--uncooled-cable")]
NoteOption = Annotated[str, typer.Option(help="Why: work order, installer, ...")]


def add_connector(
    ctx: typer.Context,
    station_id: StationArg,
    evse_id: EvseArg,
    connector_id: ConnectorArg,
    connector_type: TypeOption,
    power_type: PowerTypeOption = None,
    max_power_kw: MaxPowerKwOption = None,
    max_current_a: MaxCurrentAOption = None,
    max_voltage_v: MaxVoltageVOption = None,
    cooled_cable: CooledOption = None,
    cable_length_m: CableLengthOption = None,
    note: NoteOption = "",
    as_json: JsonFlag = False,
) -> None:
    """Retrofit: add a connector to an existing EVSE (history and uptime continue)."""
    overrides = RatingOverrides(
        power_type, max_voltage_v, max_current_a, _watts(max_power_kw), cooled_cable, cable_length_m
    )
    spec = _spec(evse_id, connector_id, connector_type, overrides)
    _retrofit(ctx, "add", station_id, spec, note, as_json)


def convert_connector(
    ctx: typer.Context,
    station_id: StationArg,
    evse_id: EvseArg,
    connector_id: ConnectorArg,
    connector_type: TypeOption,
    power_type: PowerTypeOption = None,
    max_power_kw: MaxPowerKwOption = None,
    max_current_a: MaxCurrentAOption = None,
    max_voltage_v: MaxVoltageVOption = None,
    cooled_cable: CooledOption = None,
    cable_length_m: CableLengthOption = None,
    note: NoteOption = "",
    as_json: JsonFlag = False,
) -> None:
    """Retrofit: change a connector's plug type and rating in place (history kept)."""
    overrides = RatingOverrides(
        power_type, max_voltage_v, max_current_a, _watts(max_power_kw), cooled_cable, cable_length_m
    )
    spec = _spec(evse_id, connector_id, connector_type, overrides)
    _retrofit(ctx, "convert", station_id, spec, note, as_json)


def _spec(
    evse_id: int, connector_id: int, connector_type: ConnectorType, overrides: RatingOverrides
) -> ConnectorSpec:
    from forecourt.services.network import ConnectorSpec

    rating = rating_with_defaults(connector_type, overrides)
    return ConnectorSpec(evse_id, connector_id, connector_type, rating)


def _retrofit(
    ctx: typer.Context,
    operation: str,
    station_id: str,
    spec: ConnectorSpec,
    note: str,
    as_json: bool,
) -> None:
    async def apply(services: Services) -> Retrofit:
        equipment = services.equipment
        act = equipment.add_connector if operation == "add" else equipment.convert_connector
        return await act(station_id, spec, note=note, by="cli")

    _show(with_services(ctx, apply), as_json)


def list_retrofits(ctx: typer.Context, station_id: StationArg, as_json: JsonFlag = False) -> None:
    """A station's retrofits, newest first."""
    events: list[StationEvent] = with_services(ctx, lambda s: s.equipment.retrofits(station_id))
    from forecourt.api.schemas.equipment import RetrofitOut

    items = [RetrofitOut.from_domain(event) for event in events]
    if as_json:
        print_json([item.model_dump(mode="json") for item in items])
    else:
        _retrofits(f"Retrofits of {station_id}", items)


def _watts(kilowatts: float | None) -> float | None:
    return None if kilowatts is None else kilowatts * 1000


def _show(done: Retrofit, as_json: bool) -> None:
    from forecourt.api.schemas.equipment import RetrofitOut, RetrofitResultOut
    from forecourt.api.schemas.network import StationOut

    retrofit = RetrofitOut.from_domain(done.event)
    station = StationOut.from_domain(done.station, connected=done.station.connected)
    if as_json:
        print_json(RetrofitResultOut(retrofit=retrofit, station=station).model_dump(mode="json"))
        return
    _retrofits("Retrofit recorded", [retrofit])
    render.station(station)


def _retrofits(title: str, items: list[RetrofitOut]) -> None:
    from forecourt.services.equipment import describe_plug

    render.table(
        title,
        ("when", "connector", "action", "before", "after", "note"),
        (
            (
                render.when(item.at),
                f"{item.station_id}/{item.evse_id}/{item.connector_id}",
                item.action,
                describe_plug(item.before),
                describe_plug(item.after),
                item.note,
            )
            for item in items
        ),
    )
