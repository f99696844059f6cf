"""Site limits as JSON-ready dicts and back (storage, API and CLI share the form)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from forecourt.domain.charging_profiles import RateUnit
from forecourt.domain.errors import InvalidInput
from forecourt.smart_charging.domain.site import DailyWindow, LimitSignal, SiteLimit


def site_to_dict(site: SiteLimit) -> dict[str, Any]:
    signal = site.signal
    return {
        "site_id": site.site_id,
        "limit": site.limit,
        "unit": site.unit.value,
        "phases": site.phases,
        "voltage": site.voltage,
        "phase_limit_a": site.phase_limit_a,
        "windows": [
            {"start_minute": w.start_minute, "end_minute": w.end_minute, "limit": w.limit}
            for w in site.windows
        ],
        "signal": None
        if signal is None
        else {"limit": signal.limit, "until": signal.until.isoformat(), "source": signal.source},
    }


def site_from_dict(data: dict[str, Any]) -> SiteLimit:
    """A validated site limit; :class:`InvalidInput` says what is wrong."""
    try:
        signal = data.get("signal")
        site = SiteLimit(
            site_id=str(data["site_id"]),
            limit=float(data["limit"]),
            unit=RateUnit(data.get("unit", "W")),
            phases=int(data.get("phases", 3)),
            voltage=float(data.get("voltage", 230.0)),
            phase_limit_a=_optional_float(data.get("phase_limit_a")),
            windows=tuple(
                DailyWindow(int(w["start_minute"]), int(w["end_minute"]), float(w["limit"]))
                for w in data.get("windows", ())
            ),
            signal=None
            if signal is None
            else LimitSignal(
                float(signal["limit"]),
                datetime.fromisoformat(signal["until"]),
                str(signal.get("source", "api")),
            ),
        )
    except KeyError as error:
        raise InvalidInput(f"a site limit needs {error}") from None
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"not a site limit: {error}") from None
    site.validate()
    return site


def _optional_float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]  # checked below
