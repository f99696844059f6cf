"""``forecourt compat ...``: which plug works for a car, how fast, and why.

``vehicles``, ``adapters`` and ``estimate --connector TYPE`` need no database; ``estimate
--at STATION/EVSE/CONNECTOR`` and ``recommend --site`` read the network from it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from forecourt.cli.retrofit import MaxCurrentAOption, MaxPowerKwOption, MaxVoltageVOption
from forecourt.cli.runtime import EXIT_USAGE, JsonFlag, fail, print_json, with_services
from forecourt.compat.cli.my_car import my_car_app
from forecourt.compat.domain.stalls import PostPosition, StallLayout
from forecourt.compat.keys import COMPAT
from forecourt.domain.connectors import (
    DEFAULT_RATINGS,
    ConnectorRating,
    ConnectorType,
    PowerType,
)
from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.domain.ratings import RatingOverrides, rating_with_defaults

if TYPE_CHECKING:  # the catalogue, services and API schemas take ~0.5 s: `--help` needs none
    from forecourt.compat.domain import Vehicle
    from forecourt.compat.services.compatibility import (
        ChargeAdvisor,
        ChargeAnswer,
        ChargeWindow,
        Compatibility,
        SiteAdvice,
    )
    from forecourt.services.core import Services

T = TypeVar("T")

compat_app = typer.Typer(
    help="Any car, any plug: vehicles, adapters, charge-time estimates, advice per site.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``compat`` to the ``forecourt`` command."""
    app.add_typer(compat_app, name="compat")


VehicleOption = Annotated[
    str,
    typer.Option(
        "--vehicle", help="Catalogue id or words, e.g. '2025 Ioniq 5'.", show_default=False
    ),
]
AdapterOption = Annotated[
    str | None,
    typer.Option(help="An adapter you carry (id from `compat adapters`).", show_default=False),
]
FromOption = Annotated[float, typer.Option("--from", min=0, max=100, help="Start SoC, %.")]
ToOption = Annotated[float, typer.Option("--to", min=0, max=100, help="Target SoC, %.")]
AmbientOption = Annotated[
    float | None, typer.Option(min=-50, max=60, help="Ambient °C.", show_default=False)
]
PreconditionedFlag = Annotated[
    bool,
    typer.Option(
        "--preconditioned", help="The car warmed its battery for fast charging (with --ambient-c)."
    ),
]


@compat_app.callback()
def compat_options(
    ctx: typer.Context,
    catalogue: Annotated[
        list[Path] | None,
        typer.Option(
            help="Extra catalogue JSON file merged over the packaged one (repeatable).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
) -> None:
    from forecourt.compat.domain import CatalogueError, load_catalogue
    from forecourt.compat.services.compatibility import ChargeAdvisor

    try:
        ctx.obj = ChargeAdvisor(load_catalogue(catalogue or ()) if catalogue else None)
    except CatalogueError as exc:
        fail(str(exc), EXIT_USAGE)


def _advisor(ctx: typer.Context) -> ChargeAdvisor:
    from forecourt.compat.services.compatibility import ChargeAdvisor

    advisor = ctx.obj
    assert isinstance(advisor, ChargeAdvisor)
    return advisor


def _window(
    soc_from: float, soc_to: float, ambient_c: float | None, preconditioned: bool = False
) -> ChargeWindow:
    from forecourt.compat.services.compatibility import ChargeWindow

    try:
        return ChargeWindow(soc_from, soc_to, ambient_c, preconditioned)
    except InvalidInput as exc:
        raise typer.BadParameter(str(exc), param_hint="'--from' / '--to'") from None


@compat_app.command("vehicles")
def vehicles(
    ctx: typer.Context,
    make: Annotated[str | None, typer.Option(help="Only this make, e.g. Hyundai.")] = None,
    inlet: Annotated[ConnectorType | None, typer.Option(help="Only cars with this inlet.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Vehicles in the catalogue."""
    from forecourt.compat.cli import render
    from forecourt.compat.schemas.catalogue import VehicleOut

    items = [VehicleOut.from_domain(v) for v in _advisor(ctx).vehicles(make, inlet)]
    if as_json:
        print_json([item.model_dump(mode="json") for item in items])
    else:
        render.vehicles(items)


@compat_app.command("adapters")
def adapters(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Adapters in the catalogue."""
    from forecourt.compat.cli import render
    from forecourt.compat.schemas.catalogue import AdapterOut

    items = [AdapterOut.from_domain(a) for a in _advisor(ctx).adapters()]
    if as_json:
        print_json([item.model_dump(mode="json") for item in items])
    else:
        render.adapters(items)


@compat_app.command("estimate")
def estimate(
    ctx: typer.Context,
    vehicle: VehicleOption,
    connector: Annotated[
        ConnectorType | None,
        typer.Option(help="Plug type of a connector described here.", show_default=False),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(help="A real connector, STATION/EVSE/CONNECTOR (reads the database)."),
    ] = None,
    power_type: Annotated[PowerType | None, typer.Option(help="Default: the type's.")] = None,
    max_power_kw: MaxPowerKwOption = None,
    max_current_a: MaxCurrentAOption = None,
    max_voltage_v: MaxVoltageVOption = None,
    adapter: AdapterOption = None,
    soc_from: FromOption = 10,
    soc_to: ToOption = 80,
    ambient_c: AmbientOption = None,
    preconditioned: PreconditionedFlag = False,
    plot: Annotated[
        Path | None, typer.Option(help="Write the power curve to a .png or .svg file.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """How long a car takes from --from to --to % at one connector, and why."""
    if (connector is None) == (at is None):
        raise typer.BadParameter("give --connector TYPE or --at STATION/EVSE/CONNECTOR")
    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        raise typer.BadParameter("the plot file must end in .png or .svg", param_hint="'--plot'")
    window = _window(soc_from, soc_to, ambient_c, preconditioned)
    advisor = _advisor(ctx)
    found = _vehicle_or_exit(advisor, vehicle)
    carried = _carried(advisor, adapter)
    if connector is None:
        answer = _estimate_at(ctx, advisor, at or "", (found, window, carried))
    else:
        rating = _rating(connector, power_type, max_power_kw, max_current_a, max_voltage_v)
        answer = _usage_errors(
            lambda: advisor.estimate_rating(found, connector, rating, window, carried)
        )
    _show_estimate(answer, at, plot, as_json)


def _estimate_at(
    ctx: typer.Context,
    advisor: ChargeAdvisor,
    at: str,
    asked: tuple[Vehicle, ChargeWindow, tuple[str, ...]],
) -> ChargeAnswer:
    """At a real connector, as the database last recorded it."""
    from forecourt.ports.derates import ConnectorRef

    ref = _usage_errors(lambda: ConnectorRef.parse(at))
    vehicle, window, carried = asked

    async def ask(services: Services) -> ChargeAnswer:
        service = _service(services, advisor)
        return await service.estimate_at(vehicle, ref, window, carried)

    return with_services(ctx, ask)


@compat_app.command("recommend")
def recommend(
    ctx: typer.Context,
    site: Annotated[str, typer.Option(help="The site id.", show_default=False)],
    vehicle: VehicleOption,
    adapter: AdapterOption = None,
    soc_from: FromOption = 10,
    soc_to: ToOption = 80,
    ambient_c: AmbientOption = None,
    preconditioned: PreconditionedFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """Rank a site's connectors for a car, from the status the server last recorded."""
    from forecourt.compat.cli import render
    from forecourt.compat.schemas.answers import SiteAdviceOut

    window = _window(soc_from, soc_to, ambient_c, preconditioned)
    advisor = _advisor(ctx)
    found = _vehicle_or_exit(advisor, vehicle)
    carried = _carried(advisor, adapter)

    async def ask(services: Services) -> SiteAdvice:
        service = _service(services, advisor)
        return await service.recommend_at_site(site, found, window, carried)

    advice = with_services(ctx, ask)
    if as_json:
        print_json(SiteAdviceOut.from_domain(advice).model_dump(mode="json"))
    else:
        render.site_advice(advice)


def _service(services: Services, advisor: ChargeAdvisor) -> Compatibility:
    """The server's service, or one over the catalogue given with --catalogue."""
    from forecourt.compat.services.compatibility import Compatibility

    if advisor.catalogue is services.feature(COMPAT).catalogue:
        return services.feature(COMPAT)
    return Compatibility(services.ctx, advisor.catalogue)


def _vehicle_or_exit(advisor: ChargeAdvisor, query: str) -> Vehicle:
    return _usage_errors(lambda: advisor.vehicle(query))


def _carried(advisor: ChargeAdvisor, adapter: str | None) -> tuple[str, ...]:
    if adapter is None:
        return ()
    return (_usage_errors(lambda: advisor.adapter(adapter)).id,)


def _usage_errors(work: Callable[[], T]) -> T:
    """Unknown vehicles or adapters and impossible ratings are the caller's mistake: exit 2."""
    try:
        return work()
    except (InvalidInput, NotFound) as exc:
        fail(str(exc), EXIT_USAGE)


def _rating(
    connector: ConnectorType,
    power_type: PowerType | None,
    max_power_kw: float | None,
    max_current_a: float | None,
    max_voltage_v: float | None,
) -> ConnectorRating:
    overrides = RatingOverrides(
        power_type=power_type,
        max_voltage_v=max_voltage_v,
        max_current_a=max_current_a,
        max_power_w=None if max_power_kw is None else max_power_kw * 1000,
    )
    given = _usage_errors(lambda: rating_with_defaults(connector, overrides))
    return given or DEFAULT_RATINGS[connector]


def _show_estimate(answer: ChargeAnswer, at: str | None, plot: Path | None, as_json: bool) -> None:
    from forecourt.compat.cli import render
    from forecourt.compat.schemas.answers import ChargeAnswerOut

    if plot is not None:
        if answer.estimate is None:
            fail(f"nothing to plot: {answer.summary()}")
        render.plot(answer, plot)
    if as_json:
        print_json(ChargeAnswerOut.from_domain(answer, at).model_dump(mode="json"))
    else:
        render.charge_answer(answer)
        if plot is not None:
            render.console.print(f"power curve written to {plot}")


# -- stalls: which stall's cable reaches the car --------------------------------------------
stalls_app = typer.Typer(
    help="Stalls: layout, where the cable leaves the post, its reach; which stall fits a car.",
    no_args_is_help=True,
)
compat_app.add_typer(stalls_app, name="stalls")

SiteOption = Annotated[str, typer.Option("--site", help="The site id.", show_default=False)]

compat_app.add_typer(my_car_app, name="my-car")  # each token's "my car"


@stalls_app.command("list")
def stalls_list(ctx: typer.Context, site: SiteOption, as_json: JsonFlag = False) -> None:
    """The site's stalls."""
    from forecourt.compat.cli import render
    from forecourt.compat.schemas.stalls import StallOut

    async def ask(services: Services) -> list[StallOut]:
        stalls = await services.feature(COMPAT).stalls.of_site(site)
        return [StallOut.from_domain(stall) for stall in stalls]

    items = with_services(ctx, ask)
    if as_json:
        print_json([item.model_dump(mode="json") for item in items])
    else:
        render.stalls(site, items)


@stalls_app.command("set")
def stalls_set(
    ctx: typer.Context,
    site: SiteOption,
    stall: Annotated[str, typer.Argument(help="The stall's name, e.g. A3.")],
    station: Annotated[str, typer.Option(help="The station whose cable serves it.")],
    evse: Annotated[int, typer.Option(min=1, help="That station's EVSE number.")],
    layout: Annotated[StallLayout, typer.Option(help="How cars park.")],
    post: Annotated[
        PostPosition, typer.Option(help="Where the cable leaves the post, seen from the head.")
    ],
    reach_m: Annotated[float, typer.Option(min=0.5, max=15, help="Usable cable length, m.")],
    accessible: Annotated[bool, typer.Option("--accessible", help="An accessible stall.")] = False,
    width_m: Annotated[
        float | None, typer.Option(min=2, max=6, help="Default 2.74 m (3.35 m accessible).")
    ] = None,
    note: Annotated[str, typer.Option(help="Free text.")] = "",
) -> None:
    """Add or replace a stall."""
    from forecourt.compat.domain.stalls import Stall

    described = _usage_errors(
        lambda: _stall(
            Stall, (site, stall, station, evse, layout, post, reach_m, accessible, width_m, note)
        )
    )

    async def save(services: Services) -> bool:
        return await services.feature(COMPAT).stalls.put(described)

    created = with_services(ctx, save)
    typer.echo(f"stall {site}/{stall} {'added' if created else 'updated'}: {described.describe()}")


def _stall(kind: Callable[..., T], values: tuple[object, ...]) -> T:
    try:
        return kind(*values)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


@stalls_app.command("remove")
def stalls_remove(
    ctx: typer.Context,
    site: SiteOption,
    stall: Annotated[str, typer.Argument(help="The stall's name.")],
) -> None:
    """Remove a stall."""

    async def remove(services: Services) -> None:
        await services.feature(COMPAT).stalls.remove(site, stall)

    with_services(ctx, remove)
    typer.echo(f"stall {site}/{stall} removed")


@stalls_app.command("fit")
def stalls_fit(
    ctx: typer.Context, site: SiteOption, vehicle: VehicleOption, as_json: JsonFlag = False
) -> None:
    """Which of the site's stalls fit a car: does the cable reach its inlet?"""
    from forecourt.compat.cli import render
    from forecourt.compat.schemas.stalls import StallFitsOut

    advisor = _advisor(ctx)
    found = _vehicle_or_exit(advisor, vehicle)

    async def ask(services: Services) -> StallFitsOut:
        fits = await _service(services, advisor).stalls.fits(found, site)
        return StallFitsOut.from_domain(site, found, fits)

    answer = with_services(ctx, ask)
    if as_json:
        print_json(answer.model_dump(mode="json"))
    else:
        render.stall_fits(answer)
