"""Payment terminals, financial advice and per-station features over the REST API
(``/api/ocpi/...``): what the operator sees and decides; the PTP speaks OCPI (api/payments.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from forecourt.api.deps import Context, Operator, Viewer
from forecourt.api.problems import problem_responses
from forecourt.api.schemas.base import ResourceId
from forecourt.ocpi.domain.capabilities import StationFeatures
from forecourt.ocpi.domain.payments import FinancialAdvice, Terminal
from forecourt.ocpi.keys import OCPI

router = APIRouter(tags=["roaming"], responses=problem_responses(401, 403, 404, 422))

Id36 = Annotated[str, Field(min_length=1, max_length=36)]


class TerminalOut(BaseModel):
    terminal_id: str
    party_id: int
    active: bool
    location_ids: list[str]
    evse_uids: list[str]
    customer_reference: str | None
    reference: str | None
    last_updated: datetime

    @classmethod
    def of(cls, t: Terminal) -> TerminalOut:
        return cls(
            terminal_id=t.terminal_id,
            party_id=t.party_id,
            active=t.active,
            location_ids=list(t.location_ids),
            evse_uids=list(t.evse_uids),
            customer_reference=t.customer_reference,
            reference=t.reference,
            last_updated=t.last_updated,
        )


class AssignBody(BaseModel):
    """Locations (site ids) and EVSEs (``STATION*EVSE``) the terminal serves."""

    model_config = ConfigDict(extra="forbid")

    location_ids: list[Id36] = Field(default_factory=list, max_length=1000)
    evse_uids: list[Id36] = Field(default_factory=list, max_length=10000)


class AdviceOut(BaseModel):
    id: str
    party_id: int
    authorization_reference: str
    total: Decimal
    currency: str
    status: str
    message: str
    eft_data: list[str]
    transaction_id: int | None
    last_updated: datetime

    @classmethod
    def of(cls, a: FinancialAdvice) -> AdviceOut:
        return cls(
            id=a.id,
            party_id=a.party_id,
            authorization_reference=a.authorization_reference,
            total=a.total,
            currency=a.currency,
            status=a.status.value,
            message=a.message,
            eft_data=list(a.eft_data),
            transaction_id=a.transaction_id,
            last_updated=a.last_updated,
        )


class FeaturesBody(BaseModel):
    """What the station supports beyond OCPP's core (its OCPI EVSE capabilities)."""

    model_config = ConfigDict(extra="forbid")

    reservable: bool = False
    card_reader: bool = False
    plug_and_charge: bool = False


@router.get("/ocpi/terminals", summary="Payment terminals PTPs registered (OCPI 2.3.0)")
async def list_terminals(context: Context, _: Viewer) -> list[TerminalOut]:
    payments = context.services.feature(OCPI).payments
    return [TerminalOut.of(t) for t in await payments.terminals()]


@router.put(
    "/ocpi/terminals/{terminal_id}/assignment",
    summary="Assign locations and EVSEs to a terminal (pushed to its PTP)",
)
async def assign_terminal(
    terminal_id: Id36, body: AssignBody, context: Context, _: Operator
) -> TerminalOut:
    payments = context.services.feature(OCPI).payments
    return TerminalOut.of(await payments.assign(terminal_id, body.location_ids, body.evse_uids))


@router.post("/ocpi/terminals/{terminal_id}/activate", summary="Activate a terminal at its PTP")
async def activate_terminal(terminal_id: Id36, context: Context, _: Operator) -> TerminalOut:
    payments = context.services.feature(OCPI).payments
    return TerminalOut.of(await payments.set_active(terminal_id, True))


@router.post("/ocpi/terminals/{terminal_id}/deactivate", summary="Deactivate a terminal")
async def deactivate_terminal(terminal_id: Id36, context: Context, _: Operator) -> TerminalOut:
    payments = context.services.feature(OCPI).payments
    return TerminalOut.of(await payments.set_active(terminal_id, False))


@router.get("/ocpi/financial-advice", summary="Financial advice confirmations PTPs sent")
async def list_advice(context: Context, _: Viewer) -> list[AdviceOut]:
    payments = context.services.feature(OCPI).payments
    return [AdviceOut.of(a) for a in await payments.all_advice()]


@router.get("/stations/{station_id}/roaming-features", summary="What a station supports (OCPI)")
async def get_features(station_id: ResourceId, context: Context, _: Viewer) -> FeaturesBody:
    features = await context.services.feature(OCPI).payments.features()
    found = features.get(station_id, StationFeatures(station_id))
    return FeaturesBody(
        reservable=found.reservable,
        card_reader=found.card_reader,
        plug_and_charge=found.plug_and_charge,
    )


@router.put(
    "/stations/{station_id}/roaming-features",
    summary="Set what a station supports (its OCPI EVSE capabilities)",
)
async def put_features(
    station_id: ResourceId, body: FeaturesBody, context: Context, _: Operator
) -> FeaturesBody:
    payments = context.services.feature(OCPI).payments
    stored = await payments.set_features(StationFeatures(station_id, **body.model_dump()))
    return FeaturesBody(
        reservable=stored.reservable,
        card_reader=stored.card_reader,
        plug_and_charge=stored.plug_and_charge,
    )
