"""``forecourt reservations ...`` and ``forecourt local-list ...``: through the running
server's REST API, because station connections live in the server process.

Exit codes: 0 done (the station accepted), 1 refused / conflict / offline / server failed,
2 bad usage (including input the server rejected as invalid).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

import typer

from forecourt.cli.runtime import EXIT_FAILED, EXIT_USAGE, JsonFlag, console, fail, print_json
from forecourt.cli.server_api import DEFAULT_SERVER, exchange, fail_on_problem
from forecourt.domain.limits import INT32_MAX

if TYPE_CHECKING:
    import httpx

reservations_app = typer.Typer(
    help="Reservations: keep a connector for a token until a time.", no_args_is_help=True
)
lists_app = typer.Typer(
    help="Local authorization lists per station or site, and the authorization cache.",
    no_args_is_help=True,
)


@dataclass(frozen=True, slots=True)
class Server:
    url: str
    api_key: str | None
    timeout: float


ServerOption = Annotated[
    str, typer.Option("--server", envvar="FORECOURT_SERVER", help="The server's base URL.")
]
KeyOption = Annotated[
    str | None,
    typer.Option("--api-key", envvar="FORECOURT_API_KEY", help="An API key (technician+)."),
]
TimeoutOption = Annotated[float, typer.Option(min=1, help="Seconds to wait for the server.")]


def _server(ctx: typer.Context, url: str, api_key: str | None, timeout: float) -> None:
    ctx.obj = Server(url.rstrip("/"), api_key, timeout)


@reservations_app.callback()
def reservations_server(
    ctx: typer.Context,
    server: ServerOption = DEFAULT_SERVER,
    api_key: KeyOption = None,
    timeout: TimeoutOption = 60.0,
) -> None:
    """Reach the running server."""
    _server(ctx, server, api_key, timeout)


@lists_app.callback()
def lists_server(
    ctx: typer.Context,
    server: ServerOption = DEFAULT_SERVER,
    api_key: KeyOption = None,
    timeout: TimeoutOption = 60.0,
) -> None:
    """Reach the running server."""
    _server(ctx, server, api_key, timeout)


# -- reservations ----------------------------------------------------------------------------
@reservations_app.command("add")
def add_reservation(
    ctx: typer.Context,
    station: Annotated[str, typer.Argument(metavar="STATION")],
    token: Annotated[str, typer.Argument(metavar="TOKEN", help="The token it is kept for.")],
    until: Annotated[
        str, typer.Option(metavar="WHEN", help="ISO 8601 with offset, e.g. 2027-01-31T18:00Z.")
    ],
    evse: Annotated[int, typer.Option(min=0, max=INT32_MAX, help="EVSE; 0 = any.")] = 0,
    connector_type: Annotated[
        str | None, typer.Option(help="2.0.1 connector type, e.g. cCCS1.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Reserve a connector; exits 1 when the station refuses (occupied, faulted...)."""
    body = {"station_id": station, "id_token": token, "expires_at": until, "evse_id": evse}
    if connector_type:
        body["connector_type"] = connector_type
    reservation = _call(ctx, "POST", "/api/reservations", body).json()
    _show_reservation(reservation, as_json)
    raise typer.Exit(0 if reservation["state"] == "active" else EXIT_FAILED)


@reservations_app.command("cancel")
def cancel_reservation(
    ctx: typer.Context,
    reservation_id: Annotated[int, typer.Argument(metavar="ID", min=1, max=INT32_MAX)],
    as_json: JsonFlag = False,
) -> None:
    """Cancel a reservation (exits 1 when it has already ended)."""
    reservation = _call(ctx, "POST", f"/api/reservations/{reservation_id}/cancel").json()
    _show_reservation(reservation, as_json)


@reservations_app.command("list")
def list_reservations(
    ctx: typer.Context,
    station: Annotated[str | None, typer.Option(help="Only this station's.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Reservations, newest first."""
    params = {"station_id": station} if station else None
    items = _call(ctx, "GET", "/api/reservations", params=params).json()
    if as_json:
        print_json(items)
        return
    for r in items:
        console.print(_reservation_line(r))
    if not items:
        console.print("no reservations")


# -- local lists -----------------------------------------------------------------------------
Station = Annotated[str, typer.Argument(metavar="STATION")]
Tokens = Annotated[
    list[str] | None, typer.Argument(metavar="[TOKEN]...", help="None: an empty list.")
]


@lists_app.command("show")
def show_list(ctx: typer.Context, station: Station, as_json: JsonFlag = False) -> None:
    """A station's list: source, version, sync state, tokens."""
    _show_list(_call(ctx, "GET", f"/api/stations/{_q(station)}/local-list").json(), as_json)


@lists_app.command("set")
def set_list(
    ctx: typer.Context, station: Station, tokens: Tokens = None, as_json: JsonFlag = False
) -> None:
    """Replace a station's own list (none: it uses its site's again) and send it."""
    path = f"/api/stations/{_q(station)}/local-list"
    _show_list(_call(ctx, "PUT", path, {"tokens": tokens or []}).json(), as_json)


@lists_app.command("set-site")
def set_site_list(
    ctx: typer.Context,
    site: Annotated[str, typer.Argument(metavar="SITE")],
    tokens: Tokens = None,
    as_json: JsonFlag = False,
) -> None:
    """Replace a site's list; its stations without a list of their own are updated."""
    answer = _call(ctx, "PUT", f"/api/sites/{_q(site)}/local-list", {"tokens": tokens or []})
    if as_json:
        print_json(answer.json())
    else:
        stations = ", ".join(answer.json()["stations"]) or "none"
        console.print(f"site {site}: {len(tokens or [])} tokens; stations updated: {stations}")


@lists_app.command("sync")
def sync_list(
    ctx: typer.Context,
    station: Station,
    full: Annotated[bool, typer.Option("--full", help="Send the whole list.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Bring a station's list up to date now."""
    path = f"/api/stations/{_q(station)}/local-list/sync"
    listed = _call(ctx, "POST", path, {"full": full}).json()
    _show_list(listed, as_json)
    raise typer.Exit(0 if listed["sync"] == "in_sync" else EXIT_FAILED)


@lists_app.command("limit")
def set_limit(
    ctx: typer.Context,
    station: Station,
    entries: Annotated[int, typer.Argument(min=1, max=10_000, help="Entries per update.")],
    as_json: JsonFlag = False,
) -> None:
    """How many entries the station takes per update (bigger updates are split)."""
    path = f"/api/stations/{_q(station)}/local-list/limit"
    _show_list(_call(ctx, "PUT", path, {"max_per_message": entries}).json(), as_json)


@lists_app.command("auth-cache")
def auth_cache(
    ctx: typer.Context,
    station: Station,
    enabled: Annotated[bool, typer.Option("--on/--off", help="Cache authorizations or not.")],
    as_json: JsonFlag = False,
) -> None:
    """Turn the station's authorization cache on or off."""
    path = f"/api/stations/{_q(station)}/auth-cache"
    record = _call(ctx, "PUT", path, {"enabled": enabled}).json()
    if as_json:
        print_json(record)
    else:
        console.print(f"authorization cache {'on' if enabled else 'off'}: {record['status']}")
    raise typer.Exit(0 if record["succeeded"] else EXIT_FAILED)


# -- plumbing --------------------------------------------------------------------------------
def _q(part: str) -> str:
    return quote(part, safe="")


def _call(
    ctx: typer.Context,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    params: dict[str, str] | None = None,
) -> httpx.Response:
    where: Server = ctx.obj
    if not where.api_key:
        fail("an API key is needed: --api-key or FORECOURT_API_KEY", EXIT_USAGE)
    response = exchange(
        where.url, where.api_key, where.timeout, method, path, body=body, params=params
    )
    fail_on_problem(response)
    return response


def _reservation_line(r: dict[str, Any]) -> str:
    where = f"EVSE {r['evse_id']}" if r["evse_id"] else "any EVSE"
    return (
        f"#{r['id']} {r['station_id']} {where} for {r['id_token']} until {r['expires_at']}:"
        f" {r['state']} ({r['answer']})"
    )


def _show_reservation(r: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(r)
    else:
        console.print(_reservation_line(r))


def _show_list(listed: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(listed)
        return
    source = listed["source"] or "no list"
    console.print(
        f"{listed['station_id']}: {source}, version {listed['version']}, {listed['sync']}"
        + (f" ({listed['detail']})" if listed["detail"] else "")
    )
    console.print("tokens: " + (", ".join(listed["tokens"]) or "none"))


def register(app: typer.Typer) -> None:
    app.add_typer(reservations_app, name="reservations")
    app.add_typer(lists_app, name="local-list")
