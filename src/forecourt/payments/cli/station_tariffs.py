"""``forecourt tariffs held|push|station-get|station-clear|change-session``: tariffs held by
OCPP 2.1 stations (I-block); ``forecourt payments start-limited``: a session with limits. All
through the running server (station connections live there)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import typer

from forecourt.cli.runtime import EXIT_FAILED, JsonFlag, print_json
from forecourt.cli.server_api import (
    DEFAULT_SERVER,
    ApiKeyOption,
    ServerUrlOption,
    TimeoutOption,
    exchange,
    fail_on_problem,
)
from forecourt.domain.limits import INT32_MAX

Station = Annotated[str, typer.Argument(metavar="STATION", help="An OCPP 2.1 station.")]


def register(tariffs_app: typer.Typer) -> None:
    tariffs_app.command("held")(held)
    tariffs_app.command("push")(push)
    tariffs_app.command("station-get")(station_get)
    tariffs_app.command("station-clear")(station_clear)
    tariffs_app.command("change-session")(change_session)


def register_payments(payments_app: typer.Typer) -> None:
    payments_app.command("start-limited")(start_limited)


def held(
    server: ServerUrlOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    timeout: TimeoutOption = 30,
    as_json: JsonFlag = False,
) -> None:
    """Which tariff each 2.1 EVSE should hold, what it was sent, and its answer."""
    rows = _call(server, api_key, timeout, "GET", "/api/station-tariffs")
    if as_json:
        print_json(rows)
        return
    for r in rows:
        mark = "in sync" if r["in_sync"] else "NOT in sync"
        status = r["status"] or "never sent"
        typer.echo(
            f"{r['station_id']}/{r['evse_id']}: expected {r['expected'] or '-'},"
            f" sent {r['sent'] or '-'} ({status}) {mark}"
        )


def push(
    station_id: Station,
    server: ServerUrlOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    timeout: TimeoutOption = 60,
    as_json: JsonFlag = False,
) -> None:
    """Send each EVSE's tariff in force now (SetDefaultTariff)."""
    records = _call(server, api_key, timeout, "POST", f"{_station(station_id)}/push")
    _records(records, as_json)


def station_get(
    station_id: Station,
    evse: Annotated[int, typer.Option(min=0, max=INT32_MAX, help="0: every EVSE.")] = 0,
    server: ServerUrlOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    timeout: TimeoutOption = 60,
    as_json: JsonFlag = False,
) -> None:
    """Ask the station which tariffs it holds (GetTariffs)."""
    path = f"{_station(station_id)}/get"
    _records(
        [_call(server, api_key, timeout, "POST", path, params={"evse_id": str(evse)})], as_json
    )


def station_clear(
    station_id: Station,
    tariff_id: Annotated[list[str] | None, typer.Option(help="Repeatable; none: all.")] = None,
    evse: Annotated[int | None, typer.Option(min=0, max=INT32_MAX, help="Only there.")] = None,
    server: ServerUrlOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    timeout: TimeoutOption = 60,
    as_json: JsonFlag = False,
) -> None:
    """Remove tariffs from the station (ClearTariffs)."""
    body = {"tariff_ids": tariff_id or [], "evse_id": evse}
    path = f"{_station(station_id)}/clear"
    _records([_call(server, api_key, timeout, "POST", path, body=body)], as_json)


def change_session(
    transaction_id: Annotated[int, typer.Argument(min=1, help="Our transaction id.")],
    tariff_code: Annotated[
        str, typer.Argument(help="The tariff to bill the rest of the session by (same currency).")
    ],
    server: ServerUrlOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    timeout: TimeoutOption = 60,
    as_json: JsonFlag = False,
) -> None:
    """Bill the rest of a running session by another tariff (ChangeTransactionTariff).

    Once the station accepts, the session is billed split at that moment (energy before at
    the old tariff, after at the new one); the tariff it is billed by already re-syncs it.
    """
    path = f"/api/transactions/{transaction_id}/tariff"
    body = {"tariff_code": tariff_code}
    _records([_call(server, api_key, timeout, "POST", path, body=body)], as_json)


def start_limited(
    station_id: Station,
    id_token: Annotated[str, typer.Argument(metavar="TOKEN", help="Who charges.")],
    evse: Annotated[int | None, typer.Option(min=1, max=INT32_MAX)] = None,
    max_cost: Annotated[str | None, typer.Option(help="e.g. 20.00")] = None,
    max_energy_kwh: Annotated[float | None, typer.Option(min=0.001, max=10_000)] = None,
    max_minutes: Annotated[int | None, typer.Option(min=1, max=7 * 24 * 60)] = None,
    max_soc: Annotated[int | None, typer.Option(min=1, max=100)] = None,
    server: ServerUrlOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    timeout: TimeoutOption = 60,
    as_json: JsonFlag = False,
) -> None:
    """Start a session that stops at a cost, energy, time or state-of-charge limit
    (2.1 stations are told; on 1.6 and 2.0.1 the CSMS stops it)."""
    body = {
        "id_token": id_token,
        "evse_id": evse,
        "max_cost": max_cost,
        "max_energy_kwh": max_energy_kwh,
        "max_minutes": max_minutes,
        "max_soc": max_soc,
    }
    path = f"/api/stations/{quote(station_id, safe='')}/limited-start"
    _records([_call(server, api_key, timeout, "POST", path, body=body)], as_json)


def _station(station_id: str) -> str:
    return f"/api/stations/{quote(station_id, safe='')}/tariffs"


def _call(
    server: str, api_key: str | None, timeout: float, method: str, path: str, **kw: Any
) -> Any:
    response = exchange(server, api_key, timeout, method, path, **kw)
    fail_on_problem(response)
    return response.json()


def _records(records: list[dict[str, Any]], as_json: bool) -> None:
    """One line per command; exits 1 when the station refused any."""
    if as_json:
        print_json(records)
    for r in records:
        if not as_json:
            word = r["result"].get("status") or r["status"]
            typer.echo(f"{r['station_id']}: {r['kind']} {r['status']} ({word}) {r['error']}")
            for tariff in r["result"].get("tariffs", []):
                typer.echo(f"  holds {tariff['tariff_id']} ({tariff['kind']}) {tariff['evse_ids']}")
    if not all(r["succeeded"] for r in records):
        raise typer.Exit(EXIT_FAILED)
