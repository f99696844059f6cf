"""Tariffs held by OCPP 2.1 stations (I-block): what each EVSE holds, push, get, clear, change."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from forecourt.api.bounds import PortOrStation, RecordId
from forecourt.api.command_bodies import CommandRecordOut
from forecourt.api.deps import Context, Operator, Viewer, role_of
from forecourt.api.problems import problem_responses
from forecourt.domain.commands import CommandStatus
from forecourt.payments.api.schemas import Input
from forecourt.payments.domain.cost_checks import CostCheck
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.services.station_tariffs import StationTariffs, TariffHolding

router = APIRouter(tags=["payments"], responses=problem_responses(401, 403))


class HoldingOut(BaseModel):
    station_id: str
    evse_id: int
    expected: str = Field(description="Tariff id (CODE.rREVISION) in force now; '' if none.")
    sent: str = Field(description="Tariff id last sent with SetDefaultTariff; '' if never.")
    status: CommandStatus | None = Field(description="The station's answer to it.")
    at: datetime | None
    error: str
    in_sync: bool = Field(description="The station accepted the tariff in force now.")

    @classmethod
    def of(cls, h: TariffHolding) -> HoldingOut:
        return cls(
            station_id=h.station_id,
            evse_id=h.evse_id,
            expected=h.expected,
            sent=h.sent,
            status=h.status,
            at=h.at,
            error=h.error,
            in_sync=h.in_sync,
        )


class CostCheckOut(BaseModel):
    transaction_id: int
    station_id: str
    currency: str
    ours_minor: int = Field(description="Our price of the session: what we bill.")
    station_minor: int | None = Field(description="The station's own; null: none usable.")
    difference_minor: int | None
    tolerance_minor: int
    flagged: bool
    note: str
    checked_at: datetime
    running: bool = Field(
        description="Compared while the session ran (its final check replaces it)."
    )

    @classmethod
    def of(cls, c: CostCheck) -> CostCheckOut:
        return cls(
            transaction_id=c.transaction_id,
            station_id=c.station_id,
            currency=c.currency,
            ours_minor=c.ours_minor,
            station_minor=c.station_minor,
            difference_minor=c.difference_minor,
            tolerance_minor=c.tolerance_minor,
            flagged=c.flagged,
            note=c.note,
            checked_at=c.checked_at,
            running=c.running,
        )


class ClearTariffsIn(Input):
    tariff_ids: list[str] = Field(default=[], max_length=50, description="None: all tariffs.")
    evse_id: PortOrStation | None = Field(default=None, description="None: every EVSE.")


class TransactionTariffIn(Input):
    tariff_code: str = Field(min_length=1, max_length=64)


def _tariffs(context: Context) -> StationTariffs:
    return context.services.feature(PAYMENTS).station_tariffs


@router.get("/station-tariffs", summary="Tariffs each OCPP 2.1 EVSE holds, and its last answer")
async def holdings(context: Context, _: Viewer) -> list[HoldingOut]:
    return [HoldingOut.of(h) for h in await _tariffs(context).holdings()]


@router.get(
    "/station-costs",
    summary="2.1 stations' own session costs against ours (flagged ones unless all=true)",
)
async def station_costs(context: Context, _: Viewer, all: bool = False) -> list[CostCheckOut]:
    checks = await context.services.feature(PAYMENTS).cost_checks.list(flagged_only=not all)
    return [CostCheckOut.of(c) for c in checks]


@router.post(
    "/stations/{station_id}/tariffs/push",
    summary="Send each EVSE's tariff in force now (SetDefaultTariff)",
    responses=problem_responses(404, 409),
)
async def push(station_id: str, context: Context, caller: Operator) -> list[CommandRecordOut]:
    records = await _tariffs(context).push_station(station_id)
    return [CommandRecordOut.from_domain(r, role_of(caller)) for r in records]


@router.post(
    "/stations/{station_id}/tariffs/get",
    summary="Ask which tariffs the station holds (GetTariffs)",
    responses=problem_responses(404, 422),
)
async def get(
    station_id: str, context: Context, caller: Operator, evse_id: PortOrStation = 0
) -> CommandRecordOut:
    record = await _tariffs(context).get(station_id, evse_id)
    return CommandRecordOut.from_domain(record, role_of(caller))


@router.post(
    "/stations/{station_id}/tariffs/clear",
    summary="Remove tariffs from the station (ClearTariffs)",
    responses=problem_responses(404, 422),
)
async def clear(
    station_id: str, body: ClearTariffsIn, context: Context, caller: Operator
) -> CommandRecordOut:
    record = await _tariffs(context).clear(station_id, tuple(body.tariff_ids), body.evse_id)
    return CommandRecordOut.from_domain(record, role_of(caller))


@router.post(
    "/transactions/{transaction_id}/tariff",
    summary="Bill the rest of a running session by another tariff (ChangeTransactionTariff)",
    description="Sent to the 2.1 station; once it accepts, the session is billed split at that"
    " moment (energy before at the old tariff, after at the new). The tariff the session is"
    " billed by already is sent again as it is (a re-sync). 409: ended session, another"
    " currency, or a station that does not hold tariffs.",
    responses=problem_responses(404, 409, 422),
)
async def change(
    transaction_id: RecordId, body: TransactionTariffIn, context: Context, caller: Operator
) -> CommandRecordOut:
    record = await _tariffs(context).change_for_transaction(transaction_id, body.tariff_code)
    return CommandRecordOut.from_domain(record, role_of(caller))
