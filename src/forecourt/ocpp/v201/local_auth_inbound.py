"""OCPP 2.0.1 station -> CSMS messages of block H (reservations)."""

from __future__ import annotations

from forecourt.ocpp.adapter import Link
from forecourt.ocpp.v201.wire_types.local_auth import (
    ReservationStatusUpdateRequest,
    ReservationStatusUpdateResponse,
)

#: ReservationUpdateStatusEnumType -> how the reservation ended.
RESERVATION_ENDING = {"Expired": "expired", "Removed": "removed"}


async def reservation_status_update(
    link: Link, p: ReservationStatusUpdateRequest
) -> ReservationStatusUpdateResponse:
    """H03/H04: the station ended a reservation (it expired, or was removed)."""
    ending = RESERVATION_ENDING[p["reservationUpdateStatus"]]
    await link.services.reservations.station_update(link.station_id, p["reservationId"], ending)
    return {}
