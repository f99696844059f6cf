"""``forecourt command STATION set-profile|clear-profile|composite|get-profiles``: the
smart-charging block, sent through the running server like every other command."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer

from forecourt.cli.remote import command_app, send
from forecourt.cli.runtime import JsonFlag
from forecourt.domain.limits import INT32_MAX


class Purpose(StrEnum):
    STATION_MAX = "station_max"
    TX_DEFAULT = "tx_default"
    TX = "tx"


class Unit(StrEnum):
    W = "W"
    A = "A"


EvseOrStation = Annotated[
    int, typer.Option("--evse", min=0, max=INT32_MAX, help="EVSE number; 0 = whole station.")
]


@command_app.command("set-profile")
def set_profile(
    ctx: typer.Context,
    limit: Annotated[float | None, typer.Option(min=0, help="One limit from now on.")] = None,
    unit: Annotated[Unit, typer.Option(help="W (total) or A (per phase).")] = Unit.W,
    purpose: Annotated[Purpose, typer.Option(help="What the profile limits.")] = Purpose.TX_DEFAULT,
    evse: EvseOrStation = 0,
    profile_id: Annotated[int, typer.Option("--id", min=1, max=INT32_MAX)] = 1,
    stack_level: Annotated[int, typer.Option(min=0, max=1000)] = 0,
    tx: Annotated[str | None, typer.Option(help="The transaction (purpose tx).")] = None,
    profile_json: Annotated[
        str | None, typer.Option("--profile-json", help="A whole profile (docs/smart-charging.md).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Install a charging profile: one limit (--limit) or a whole profile (--profile-json)."""
    if (limit is None) == (profile_json is None):
        raise typer.BadParameter("give exactly one of --limit and --profile-json")
    profile = (
        _profile_json(profile_json)
        if profile_json
        else {
            "id": profile_id,
            "stack_level": stack_level,
            "purpose": purpose.value,
            "kind": "relative" if purpose is Purpose.TX else "absolute",
            "schedule": {"unit": unit.value, "periods": [{"start_s": 0, "limit": limit}]},
            "station_tx_id": tx,
        }
    )
    send(ctx, {"kind": "set_charging_profile", "evse_id": evse, "profile": profile}, as_json)


@command_app.command("clear-profile")
def clear_profile(
    ctx: typer.Context,
    profile_id: Annotated[int | None, typer.Option("--id", min=0, max=INT32_MAX)] = None,
    evse: Annotated[int | None, typer.Option("--evse", min=0, max=INT32_MAX)] = None,
    purpose: Annotated[Purpose | None, typer.Option()] = None,
    stack_level: Annotated[int | None, typer.Option(min=0, max=1000)] = None,
    as_json: JsonFlag = False,
) -> None:
    """Remove the profiles matching every given criterion (none: all of them)."""
    body = {
        "kind": "clear_charging_profile",
        "profile_id": profile_id,
        "evse_id": evse,
        "purpose": purpose.value if purpose else None,
        "stack_level": stack_level,
    }
    send(ctx, body, as_json)


@command_app.command("composite")
def composite(
    ctx: typer.Context,
    evse: EvseOrStation = 0,
    duration: Annotated[int, typer.Option(min=1, max=INT32_MAX, help="Seconds.")] = 3600,
    unit: Annotated[Unit | None, typer.Option(help="W or A (default: the station's).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The limit the station will apply on an EVSE (GetCompositeSchedule)."""
    body = {
        "kind": "get_composite_schedule",
        "evse_id": evse,
        "duration_s": duration,
        "unit": unit.value if unit else None,
    }
    send(ctx, body, as_json)


@command_app.command("get-profiles")
def get_profiles(
    ctx: typer.Context,
    request_id: Annotated[int, typer.Option(min=0, max=INT32_MAX)] = 0,
    evse: Annotated[int | None, typer.Option("--evse", min=0, max=INT32_MAX)] = None,
    as_json: JsonFlag = False,
) -> None:
    """2.0.1: ask the station to report its profiles (kept as station events)."""
    body = {"kind": "get_charging_profiles", "request_id": request_id, "evse_id": evse}
    send(ctx, body, as_json)


def _profile_json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as error:
        raise typer.BadParameter(f"--profile-json is not JSON: {error}") from None
    if not isinstance(value, dict):
        raise typer.BadParameter("--profile-json is a JSON object")
    return value
