"""``forecourt drift ...``: desired configuration per station model, drift checks and
corrections, through the running server's REST API (station connections live there).

Exit codes: 0 no drift (or done), 1 drift found / the station could not be read, 2 bad usage.
"""

from __future__ import annotations

from typing import Annotated, Any, NoReturn
from urllib.parse import quote

import typer

from forecourt.cli import render
from forecourt.cli.device import server_options
from forecourt.cli.runtime import EXIT_FAILED, JsonFlag, console, print_json
from forecourt.cli.server_api import ApiServer
from forecourt.domain.limits import INT32_MAX

drift_app = typer.Typer(
    help="Configuration drift: desired settings per model, checks and corrections.",
    no_args_is_help=True,
)
drift_app.callback()(server_options)

StationArg = Annotated[str, typer.Argument(metavar="STATION", help="The station's id.")]


def _check(answer: dict[str, Any], as_json: bool) -> NoReturn:
    if as_json:
        print_json(answer)
    else:
        if answer["error"]:
            console.print(answer["error"], markup=False)
        render.table(
            f"Drift of {answer['station_id']} ({render.when(answer['checked_at'])})",
            ["key", "desired", "actual", "state", "note"],
            [(i["key"], i["desired"], i["actual"], i["state"],
              "the model refuses changes" if i["fixed"] else "") for i in answer["items"]],
        )  # fmt: skip
    raise typer.Exit(EXIT_FAILED if answer["drifted"] or answer["error"] else 0)


@drift_app.command("desired")
def desired(
    ctx: typer.Context,
    model: Annotated[str | None, typer.Option(help="Only this station model.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The desired configuration, per station model."""
    server: ApiServer = ctx.obj
    path = "/desired-settings" + (f"?model={quote(model)}" if model else "")
    answer = server.call("GET", path).json()
    if as_json:
        print_json(answer)
        return
    render.table(
        "Desired configuration",
        ["id", "model", "key", "value"],
        [(s["id"], s["model"], s["key"], s["value"]) for s in answer],
    )


@drift_app.command("set")
def set_desired(
    ctx: typer.Context,
    model: Annotated[str, typer.Argument(help="The station model.")],
    key: Annotated[str, typer.Argument(help="`Variable` (1.6) or `Component.Variable` (2.0.1).")],
    value: Annotated[str, typer.Argument(help="The value every station of MODEL should have.")],
) -> None:
    """Set a model's desired value for a key (replaces the previous one)."""
    body = {"model": model, "key": key, "value": value}
    added = ctx.obj.call("POST", "/desired-settings", body).json()
    console.print(f"desired setting {added['id']}: {model} {key} = {value}", markup=False)


@drift_app.command("remove")
def remove_desired(
    ctx: typer.Context, setting_id: Annotated[int, typer.Argument(min=1, max=INT32_MAX)]
) -> None:
    """Remove a desired setting."""
    ctx.obj.call("DELETE", f"/desired-settings/{setting_id}")
    console.print(f"desired setting {setting_id} removed")


@drift_app.command("show")
def show(ctx: typer.Context, station: StationArg, as_json: JsonFlag = False) -> None:
    """A station's latest drift check."""
    _check(ctx.obj.call("GET", f"/stations/{quote(station, safe='')}/drift").json(), as_json)


@drift_app.command("check")
def check(ctx: typer.Context, station: StationArg, as_json: JsonFlag = False) -> None:
    """Read the station's configuration back and compare it now."""
    path = f"/stations/{quote(station, safe='')}/drift/check"
    _check(ctx.obj.call("POST", path).json(), as_json)


@drift_app.command("correct")
def correct(ctx: typer.Context, station: StationArg, as_json: JsonFlag = False) -> None:
    """Set every value that differs (except keys the model refuses), then check again."""
    answer = ctx.obj.call("POST", f"/stations/{quote(station, safe='')}/drift/correct").json()
    if not as_json:
        for record in answer["commands"]:
            params = record["params"]
            key = params["key"]["variable"]
            if params["key"].get("component"):
                key = f"{params['key']['component']}.{key}"
            console.print(f"set {key} = {params['value']}: {record['status']}", markup=False)
    _check(answer["check"], as_json)


@drift_app.command("list")
def list_drift(
    ctx: typer.Context,
    drifted: Annotated[bool, typer.Option("--drifted", help="Only stations that differ.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Every station's latest drift check."""
    answer = ctx.obj.call("GET", "/drift" + ("?drifted=true" if drifted else "")).json()
    if as_json:
        print_json(answer)
        return
    render.table(
        "Configuration drift",
        ["station", "checked", "differences", "error"],
        [(c["station_id"], render.when(c["checked_at"]), c["drifted"], c["error"]) for c in answer],
    )


def register(app: typer.Typer) -> None:
    app.add_typer(drift_app, name="drift")
