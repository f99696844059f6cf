"""What a rebalance keeps: each EVSE's allocation with the station's answer, and refusals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from forecourt.domain.commands import CommandStatus
from forecourt.smart_charging.domain.allocation import Allocation, Reason
from forecourt.smart_charging.ports import SiteEvent, StoredAllocation
from forecourt.smart_charging.services.site_state import EvseView


@dataclass(frozen=True, slots=True)
class Sent:
    """A profile sent: the allocation as the station can apply it, and its answer."""

    allocation: Allocation
    status: CommandStatus


def row(
    site_id: str, allocation: Allocation, view: EvseView, sent: Sent | None, now: datetime
) -> StoredAllocation:
    previous = view.previous
    tx_id = view.tx.station_tx_id if view.tx is not None else None
    same_tx = previous is not None and previous.station_tx_id == tx_id
    accepted = previous.accepted_w if previous is not None and same_tx else None
    status = previous.status if previous is not None and same_tx else "none"
    if allocation.reason is Reason.HELD_OFFLINE and previous is not None:
        accepted, status = previous.accepted_w, "offline"
    since = previous.at if previous is not None and same_tx else now
    if sent is not None:
        status = sent.status.value
        if sent.status is CommandStatus.ACCEPTED:
            accepted, since = sent.allocation.watts, now
    return StoredAllocation(
        allocation.ref, site_id, tx_id, allocation.watts, accepted, allocation.reason, status, since
    )


def refused(site_id: str, sent: Sent, now: datetime) -> SiteEvent:
    ref = sent.allocation.ref
    data = {"watts": sent.allocation.watts, "status": sent.status.value}
    return SiteEvent(site_id, sent.status.value, now, ref.station_id, ref.evse_id, data)
