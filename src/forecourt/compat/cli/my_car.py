"""``forecourt compat my-car``: which catalogue car a driver's token charges ("my car")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from forecourt.cli.runtime import JsonFlag, print_json, with_services
from forecourt.compat.keys import COMPAT

if TYPE_CHECKING:
    from forecourt.compat.schemas.driver_cars import DriverCarOut
    from forecourt.services.core import Services

my_car_app = typer.Typer(
    help='"My car": the catalogue car a driver\'s token charges (for the interop matrix).',
    no_args_is_help=True,
)

TokenArgument = Annotated[str, typer.Argument(help="The token, as stations send it.")]
_CLI = "cli:operator"


@my_car_app.command("set")
def my_car_set(
    ctx: typer.Context,
    token: TokenArgument,
    vehicle: Annotated[str, typer.Argument(help="A catalogue id or words: '2025 Ioniq 5'.")],
    as_json: JsonFlag = False,
) -> None:
    """Set the token's car; words must name exactly one catalogue vehicle."""
    from forecourt.compat.schemas.driver_cars import DriverCarOut
    from forecourt.services.access import Role

    async def save(services: Services) -> DriverCarOut:
        chosen, car = await services.feature(COMPAT).driver_cars.choose(token, vehicle, _CLI)
        return DriverCarOut.from_domain(chosen, car, Role.ADMIN)

    _show(with_services(ctx, save), as_json)


@my_car_app.command("show")
def my_car_show(ctx: typer.Context, token: TokenArgument, as_json: JsonFlag = False) -> None:
    """The token's car."""
    from forecourt.compat.schemas.driver_cars import DriverCarOut
    from forecourt.services.access import Role

    async def ask(services: Services) -> DriverCarOut:
        chosen, car = await services.feature(COMPAT).driver_cars.of(token)
        return DriverCarOut.from_domain(chosen, car, Role.ADMIN)

    _show(with_services(ctx, ask), as_json)


@my_car_app.command("remove")
def my_car_remove(ctx: typer.Context, token: TokenArgument) -> None:
    """Forget the token's car."""

    async def forget(services: Services) -> None:
        await services.feature(COMPAT).driver_cars.forget(token)

    with_services(ctx, forget)
    typer.echo(f"the car of token {token} is forgotten")


def _show(car: DriverCarOut, as_json: bool) -> None:
    if as_json:
        print_json(car.model_dump(mode="json"))
    else:
        name = car.vehicle or f"{car.vehicle_id} (no longer in the catalogue)"
        typer.echo(f"token {car.token}: {name} [{car.vehicle_id}]")
