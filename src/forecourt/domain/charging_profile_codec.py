"""Charging profiles as JSON-ready dicts and back: the form storage, the API and the CLI share.

Instants are ISO 8601 with their offset; enums are their values. ``profile_from_dict``
validates, so a stored or posted profile is as safe as one built in code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from forecourt.domain.charging_profiles import (
    ChargingProfile,
    ChargingSchedule,
    ProfileKind,
    ProfilePurpose,
    RateUnit,
    Recurrency,
    SchedulePeriod,
)
from forecourt.domain.errors import InvalidInput


def schedule_to_dict(schedule: ChargingSchedule) -> dict[str, Any]:
    return {
        "unit": schedule.unit.value,
        "periods": [
            {"start_s": p.start_s, "limit": p.limit, "phases": p.phases} for p in schedule.periods
        ],
        "start": _instant(schedule.start),
        "duration_s": schedule.duration_s,
        "min_rate": schedule.min_rate,
    }


def profile_to_dict(profile: ChargingProfile) -> dict[str, Any]:
    return {
        "id": profile.id,
        "stack_level": profile.stack_level,
        "purpose": profile.purpose.value,
        "kind": profile.kind.value,
        "schedule": schedule_to_dict(profile.schedule),
        "recurrency": profile.recurrency.value if profile.recurrency else None,
        "valid_from": _instant(profile.valid_from),
        "valid_to": _instant(profile.valid_to),
        "station_tx_id": profile.station_tx_id,
    }


def schedule_from_dict(data: dict[str, Any]) -> ChargingSchedule:
    try:
        periods = tuple(
            SchedulePeriod(int(p["start_s"]), float(p["limit"]), p.get("phases"))
            for p in data["periods"]
        )
        return ChargingSchedule(
            unit=RateUnit(data["unit"]),
            periods=periods,
            start=_parse(data.get("start")),
            duration_s=data.get("duration_s"),
            min_rate=data.get("min_rate"),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidInput(f"not a charging schedule: {error}") from None


def profile_from_dict(data: dict[str, Any]) -> ChargingProfile:
    """A validated profile; :class:`InvalidInput` names what is missing or wrong."""
    try:
        recurrency = data.get("recurrency")
        profile = ChargingProfile(
            id=int(data["id"]),
            stack_level=int(data.get("stack_level", 0)),
            purpose=ProfilePurpose(data["purpose"]),
            kind=ProfileKind(data.get("kind", ProfileKind.ABSOLUTE.value)),
            schedule=schedule_from_dict(data["schedule"]),
            recurrency=Recurrency(recurrency) if recurrency else None,
            valid_from=_parse(data.get("valid_from")),
            valid_to=_parse(data.get("valid_to")),
            station_tx_id=data.get("station_tx_id"),
        )
    except KeyError as error:
        raise InvalidInput(f"a charging profile needs {error}") from None
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"not a charging profile: {error}") from None
    profile.validate()
    return profile


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        raise InvalidInput(f"{value!r} needs a time zone")
    return parsed
