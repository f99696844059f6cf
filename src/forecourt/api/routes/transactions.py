"""Charging transactions: search, detail with meter samples, remote stop."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from forecourt.api.bounds import Offset, RecordId
from forecourt.api.command_bodies import CommandRecordOut
from forecourt.api.deps import Context, Technician, Viewer, requester, role_of
from forecourt.api.problems import problem_responses
from forecourt.api.schemas import (
    TransactionDetailOut,
    TransactionOut,
    TransactionPage,
    UtcDatetime,
)
from forecourt.domain.transactions import TransactionState
from forecourt.ports.repositories import TransactionFilter

router = APIRouter(tags=["transactions"], responses=problem_responses(401, 403))


@router.get("/transactions", summary="Search transactions", responses=problem_responses(422))
async def list_transactions(
    context: Context,
    caller: Viewer,
    station_id: str | None = None,
    state: TransactionState | None = None,
    id_token: str | None = None,
    since: Annotated[UtcDatetime | None, Query(description="Started at or after.")] = None,
    until: Annotated[UtcDatetime | None, Query(description="Started before.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> TransactionPage:
    flt = TransactionFilter(station_id, state, id_token, since, until, limit, offset)
    items, total = await context.services.history.list(flt)
    return TransactionPage(
        items=[TransactionOut.from_domain(tx, role_of(caller)) for tx in items],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/transactions/{transaction_id}",
    summary="A transaction with its meter samples",
    responses=problem_responses(404),
)
async def get_transaction(
    transaction_id: RecordId, context: Context, caller: Viewer
) -> TransactionDetailOut:
    detail = await context.services.history.detail(transaction_id)
    return TransactionDetailOut.of(detail.transaction, list(detail.samples), role_of(caller))


@router.post(
    "/transactions/{transaction_id}/stop",
    summary="Ask the station to stop a transaction",
    description="Waits for the station's answer; 200 whatever it answered (see `status`).",
    responses=problem_responses(404, 409),
)
async def stop_transaction(
    transaction_id: RecordId, context: Context, caller: Technician
) -> CommandRecordOut:
    record = await context.services.remote.stop_transaction(
        transaction_id, requested_by=requester(caller)
    )
    return CommandRecordOut.from_domain(record, role_of(caller))
