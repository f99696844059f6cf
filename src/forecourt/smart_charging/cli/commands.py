"""``forecourt load ...``: site load management through the running server's REST API.

A limit change rebalances at once, sending profiles to connected stations: that needs the
server process, where the connections live (as ``forecourt command`` does).

Exit codes: 0 done, 1 the server failed or refused, 2 bad usage (or input it rejected).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, NoReturn
from urllib.parse import quote

import typer

from forecourt.cli.runtime import EXIT_FAILED, EXIT_USAGE, JsonFlag, console, fail, print_json
from forecourt.domain.limits import INT32_MAX

if TYPE_CHECKING:
    import httpx

DEFAULT_SERVER = "http://127.0.0.1:9000"

load_app = typer.Typer(
    help="Site load management: grid limits, signals, EVSE bounds, allocations.",
    no_args_is_help=True,
)

Server = Annotated[
    str, typer.Option(envvar="FORECOURT_SERVER", help="The Forecourt server's base URL.")
]
ApiKey = Annotated[
    str | None, typer.Option(envvar="FORECOURT_API_KEY", help="An operator (or viewer) API key.")
]
SiteArg = Annotated[str, typer.Argument(metavar="SITE", help="The site's id.")]


def register(app: typer.Typer) -> None:
    app.add_typer(load_app, name="load")


@load_app.command("show")
def show(
    site: SiteArg,
    server: Server = DEFAULT_SERVER,
    api_key: ApiKey = None,
    as_json: JsonFlag = False,
) -> None:
    """The site's limit, allocation per EVSE and measured power."""
    _print(_call("GET", server, api_key, _site_path(site)), as_json)


@load_app.command("set")
def set_limit(
    site: SiteArg,
    limit: Annotated[
        float, typer.Option(min=0, help="Watts (total) or amps per phase (--unit A).")
    ],
    unit: Annotated[str, typer.Option(help="W or A.")] = "W",
    phases: Annotated[int, typer.Option(min=1, max=3, help="Phases of the grid connection.")] = 3,
    voltage: Annotated[float, typer.Option(min=50, max=1000, help="Phase voltage.")] = 230.0,
    policy: Annotated[str, typer.Option(help="fair_share, priority or departure.")] = "fair_share",
    phase_limit: Annotated[
        float | None, typer.Option("--phase-limit", min=0, help="Amps on every phase, too.")
    ] = None,
    window: Annotated[
        list[str] | None,
        typer.Option(help="A daily window HH:MM-HH:MM=LIMIT (UTC), e.g. 17:00-21:00=30000."),
    ] = None,
    server: Server = DEFAULT_SERVER,
    api_key: ApiKey = None,
    as_json: JsonFlag = False,
) -> None:
    """Set (or change) the site's grid limit and policy; the site rebalances at once."""
    body = {
        "limit": limit,
        "unit": unit,
        "phases": phases,
        "voltage": voltage,
        "policy": policy,
        "windows": [_window(text) for text in window or []],
        "phase_limit_a": phase_limit,
    }
    _print(_call("PUT", server, api_key, _site_path(site), body), as_json)


@load_app.command("signal")
def signal(
    site: SiteArg,
    limit: Annotated[float, typer.Option(min=0, help="The external limit, in the site's unit.")],
    until: Annotated[str, typer.Option(help="When it ends, ISO 8601 with offset.")],
    source: Annotated[str, typer.Option(help="Who asked, e.g. utility-dr.")] = "cli",
    server: Server = DEFAULT_SERVER,
    api_key: ApiKey = None,
    as_json: JsonFlag = False,
) -> None:
    """An external limit until a time (e.g. a utility demand-response event)."""
    body = {"limit": limit, "until": _instant(until).isoformat(), "source": source}
    _print(_call("POST", server, api_key, f"{_site_path(site)}/signal", body), as_json)


@load_app.command("rebalance")
def rebalance(
    site: SiteArg,
    server: Server = DEFAULT_SERVER,
    api_key: ApiKey = None,
    as_json: JsonFlag = False,
) -> None:
    """Rebalance now."""
    _print(_call("POST", server, api_key, f"{_site_path(site)}/rebalance"), as_json)


@load_app.command("clear")
def clear(site: SiteArg, server: Server = DEFAULT_SERVER, api_key: ApiKey = None) -> None:
    """Stop managing the site's load."""
    _call("DELETE", server, api_key, _site_path(site))
    console.print(f"site {site} is no longer load-managed")


@load_app.command("evse")
def evse(
    station: Annotated[str, typer.Argument(metavar="STATION", help="The station's id.")],
    evse_id: Annotated[int, typer.Argument(metavar="EVSE", min=1, max=INT32_MAX)],
    min_w: Annotated[float | None, typer.Option("--min-w", min=0, help="Minimum watts.")] = None,
    max_w: Annotated[float | None, typer.Option("--max-w", min=1, help="Maximum watts.")] = None,
    priority: Annotated[int, typer.Option(min=0, max=100, help="Priority class.")] = 0,
    phase: Annotated[
        int | None, typer.Option(min=1, max=3, help="The site phase a 1-phase EVSE is on.")
    ] = None,
    server: Server = DEFAULT_SERVER,
    api_key: ApiKey = None,
) -> None:
    """An EVSE's bounds and priority class (policy priority serves higher classes first)."""
    body = {"min_w": min_w, "max_w": max_w, "priority": priority, "phase": phase}
    _call("PUT", server, api_key, _evse_path(station, evse_id, "load"), body)
    console.print(f"{station}/{evse_id}: min {min_w} W, max {max_w} W, priority {priority}")


@load_app.command("departure")
def departure(
    station: Annotated[str, typer.Argument(metavar="STATION", help="The station's id.")],
    evse_id: Annotated[int, typer.Argument(metavar="EVSE", min=1, max=INT32_MAX)],
    at: Annotated[str, typer.Option("--at", help="When the driver leaves, ISO 8601 with offset.")],
    energy_kwh: Annotated[
        float, typer.Option("--energy-kwh", min=0.001, max=1000, help="Energy the car needs.")
    ],
    vehicle: Annotated[str | None, typer.Option(help="The car, e.g. '2025 Ioniq 5'.")] = None,
    server: Server = DEFAULT_SERVER,
    api_key: ApiKey = None,
) -> None:
    """The running session's departure and energy need (policy departure serves it first)."""
    when = _instant(at)
    body = {"departure_at": when.isoformat(), "energy_wh": energy_kwh * 1000, "vehicle": vehicle}
    _call("PUT", server, api_key, _evse_path(station, evse_id, "departure"), body)
    console.print(f"{station}/{evse_id}: {energy_kwh:g} kWh by {when:%Y-%m-%d %H:%M} UTC")


def _evse_path(station: str, evse_id: int, what: str) -> str:
    return f"/api/stations/{quote(station, safe='')}/evses/{evse_id}/{what}"


def _site_path(site: str) -> str:
    return f"/api/sites/{quote(site, safe='')}/load"


def _window(text: str) -> dict[str, Any]:
    try:
        span, limit = text.split("=")
        start, end = (_minute(part) for part in span.split("-"))
        return {"start_minute": start, "end_minute": end, "limit": float(limit)}
    except ValueError:
        raise typer.BadParameter(f"a window looks like 17:00-21:00=30000, not {text!r}") from None


def _minute(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"not an ISO 8601 time: {text!r}") from None
    if moment.tzinfo is None:
        raise typer.BadParameter(f"give the offset (e.g. Z): {text!r}")
    return moment.astimezone(UTC)


def _call(
    method: str, server: str, api_key: str | None, path: str, body: dict[str, Any] | None = None
) -> Any:
    if not api_key:
        fail("an API key is needed: --api-key or FORECOURT_API_KEY", EXIT_USAGE)
    import httpx

    headers = {"Authorization": f"Bearer {api_key}"}
    try:
        with httpx.Client(base_url=server.rstrip("/"), headers=headers, timeout=60) as client:
            response = client.request(method, path, json=body)
    except httpx.HTTPError as exc:
        fail(f"cannot reach the Forecourt server at {server}: {exc}")
    if response.is_error:
        _problem(response)
    return response.json() if response.content else None


def _problem(response: httpx.Response) -> NoReturn:
    try:
        detail = str(response.json().get("detail") or response.json().get("title"))
    except (ValueError, AttributeError):
        detail = f"the server answered {response.status_code} {response.reason_phrase}"
    fail(detail, EXIT_USAGE if response.status_code == 422 else EXIT_FAILED)


def _print(load: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(load)
        return
    console.print(
        f"site {load['site_id']}: limit {load['limit']:g} {load['unit']} ({load['policy']}),"
        f" now {load['limit_now_w'] / 1000:.1f} kW, allocated {load['allocated_w'] / 1000:.1f} kW,"
        f" measured {load['measured_w'] / 1000:.1f} kW"
    )
    amps = ", ".join(f"L{p} {a:.1f} A" for p, a in load["phase_amps"].items())
    cap = "" if load["phase_limit_a"] is None else f" (limit {load['phase_limit_a']:g} A)"
    console.print(f"  phases: {amps}{cap}")
    for a in load["allocations"]:
        accepted = "—" if a["accepted_w"] is None else f"{a['accepted_w'] / 1000:.1f} kW"
        console.print(
            f"  {a['station_id']}/{a['evse_id']}: {a['planned_w'] / 1000:.1f} kW"
            f" ({a['reason']}), accepted {accepted}, {a['status']}{_departure(a)}"
        )


def _departure(a: dict[str, Any]) -> str:
    if a["departure_at"] is None:
        return ""
    need = "" if a["need_w"] is None else f", needs {a['need_w'] / 1000:.1f} kW"
    return f"; {a['energy_wh'] / 1000:g} kWh by {a['departure_at']} ({a['departure_source']}){need}"
