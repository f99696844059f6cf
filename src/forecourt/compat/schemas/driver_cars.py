"""The answer for a token's "my car" (``/api/tokens/{token}/car``, ``compat my-car --json``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from forecourt.compat.domain import Vehicle
from forecourt.compat.ports import ChosenCar
from forecourt.services.access import Role, shown_token


class DriverCarOut(BaseModel):
    token: str  # as the caller's role may see it (viewers: masked)
    vehicle_id: str
    vehicle: str | None  # the catalogue name; None when the catalogue no longer holds it
    set_at: datetime
    set_by: str

    @classmethod
    def from_domain(
        cls, chosen: ChosenCar, vehicle: Vehicle | None, role: Role | None
    ) -> DriverCarOut:
        return cls(
            token=shown_token(chosen.token, role) or "",
            vehicle_id=chosen.vehicle_id,
            vehicle=None if vehicle is None else vehicle.name,
            set_at=chosen.set_at,
            set_by=chosen.set_by,
        )
