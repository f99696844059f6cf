"""Starting a session with limits: cost, energy, time, state of charge (every version)."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter
from pydantic import Field

from forecourt.api.bounds import PortNumber
from forecourt.api.command_bodies import CommandRecordOut
from forecourt.api.deps import Context, Operator, role_of
from forecourt.api.problems import problem_responses
from forecourt.payments.api.schemas import Input
from forecourt.payments.keys import PAYMENTS
from forecourt.ports.station_payments import PrepaidLimit

router = APIRouter(tags=["payments"], responses=problem_responses(401, 403))


class LimitedStartIn(Input):
    id_token: str = Field(min_length=1, max_length=255)
    evse_id: PortNumber | None = None
    max_cost: Decimal | None = Field(default=None, gt=0, le=100_000, decimal_places=2)
    max_energy_kwh: float | None = Field(default=None, gt=0, le=10_000)
    max_minutes: int | None = Field(default=None, gt=0, le=7 * 24 * 60)
    max_soc: int | None = Field(default=None, ge=1, le=100)

    def limit(self) -> PrepaidLimit:
        return PrepaidLimit(
            max_cost=self.max_cost,
            max_energy_wh=None if self.max_energy_kwh is None else self.max_energy_kwh * 1000,
            max_time_s=None if self.max_minutes is None else self.max_minutes * 60,
            max_soc=self.max_soc,
        )


@router.post(
    "/stations/{station_id}/limited-start",
    summary="Start a session that stops at a cost, energy, time or state-of-charge limit",
    responses=problem_responses(404, 422),
)
async def limited_start(
    station_id: str, body: LimitedStartIn, context: Context, caller: Operator
) -> CommandRecordOut:
    limits = context.services.feature(PAYMENTS).limits
    record = await limits.start(station_id, body.evse_id, body.id_token, body.limit())
    return CommandRecordOut.from_domain(record, role_of(caller))
