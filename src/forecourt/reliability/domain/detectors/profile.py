"""A station drawing more than the charging profile it accepted (smart charging's
verification, published as ``smart_charging.exceeded``): the site's grid limit is only as
good as the stations obeying it, so this is a fault with a ticket for the field team.

Reliability does not import smart charging: it reads the event's data (``evse_id``,
``power_w``, ``accepted_w``, ``site_id``) and nothing else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from forecourt.reliability.domain.model import FaultKind, Finding


def profile_exceeded(station_id: str, data: dict[str, Any], at: datetime) -> list[Finding]:
    evse_id, power, accepted = data.get("evse_id"), data.get("power_w"), data.get("accepted_w")
    if not isinstance(power, int | float) or not isinstance(accepted, int | float):
        return []  # not a reading we can judge
    where = evse_id if isinstance(evse_id, int) else None
    text = (
        f"EVSE {where} draws {power / 1000:.1f} kW, above the {accepted / 1000:.1f} kW "
        "charging profile it accepted"
    )
    evidence = {k: data.get(k) for k in ("site_id", "power_w", "accepted_w", "station_tx_id")}
    return [Finding(FaultKind.PROFILE_EXCEEDED, station_id, where, at, 1.0, text, evidence)]
