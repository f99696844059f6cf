"""Commands to stations: send one and wait for the answer; the command log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from forecourt.api.bounds import BigRecordId
from forecourt.api.command_bodies import CommandBody, CommandRecordOut, RemoteStopBody
from forecourt.api.deps import ApiContext, Context, Technician, Viewer, requester, role_of
from forecourt.api.problems import problem_responses
from forecourt.domain.commands import CommandRecord
from forecourt.domain.errors import InvalidInput

router = APIRouter(tags=["commands"], responses=problem_responses(401, 403))

_EXAMPLES = {
    "reset": {"value": {"kind": "reset", "hard": True}},
    "unlock": {"value": {"kind": "unlock_connector", "evse_id": 1, "connector_id": 1}},
    "start": {"value": {"kind": "remote_start", "id_token": "04A2B3C4", "evse_id": 1}},
    "stop": {"value": {"kind": "remote_stop", "transaction_id": 42}},
    "get_config": {"value": {"kind": "get_configuration", "keys": ["HeartbeatInterval"]}},
    "set_config": {
        "value": {
            "kind": "set_configuration",
            "key": "OCPPCommCtrlr.HeartbeatInterval",
            "value": "120",
        }
    },
}


@router.post(
    "/stations/{station_id}/commands",
    summary="Send a command and wait for the station's answer",
    description=(
        "Answers 200 with the command record whatever the station said: `status` is the"
        " station's answer (`accepted`, `rejected`...) or `timeout` / `offline`;"
        " `succeeded` sums it up."
    ),
    responses=problem_responses(404, 422),
)
async def send_command(
    station_id: str,
    body: Annotated[CommandBody, Body(openapi_examples=_EXAMPLES)],
    context: Context,
    caller: Technician,
) -> CommandRecordOut:
    if isinstance(body, RemoteStopBody) and body.transaction_id is not None:
        record = await _stop_by_number(context, station_id, body.transaction_id, requester(caller))
    else:
        record = await context.services.remote.send(
            station_id, body.to_command(), requested_by=requester(caller)
        )
    return CommandRecordOut.from_domain(record, role_of(caller))


async def _stop_by_number(
    context: ApiContext, station_id: str, transaction_id: int, requested_by: str
) -> CommandRecord:
    detail = await context.services.history.detail(transaction_id)
    if detail.transaction.station_id != station_id:
        raise InvalidInput(
            f"transaction {transaction_id} runs on station {detail.transaction.station_id!r},"
            f" not {station_id!r}"
        )
    return await context.services.remote.stop_transaction(transaction_id, requested_by=requested_by)


@router.post(
    "/stations/{station_id}/password-rotation",
    summary="Give the station a new, generated password",
    description=(
        "Sends a strong generated password (1.6 `AuthorizationKey`, 2.0.1"
        " `SecurityCtrlr.BasicAuthPassword`) and stores it only when the station accepts it;"
        " the previous password stays valid until the station has connected with the new one."
        " The password itself is never shown nor logged. 409 when the station has no password."
    ),
    responses=problem_responses(404, 409),
)
async def rotate_password(
    station_id: str, context: Context, caller: Technician
) -> CommandRecordOut:
    record = await context.services.passwords.rotate(station_id, requested_by=requester(caller))
    return CommandRecordOut.from_domain(record, role_of(caller))


@router.get(
    "/stations/{station_id}/commands",
    summary="Commands sent to a station, newest first",
    responses=problem_responses(404),
)
async def station_commands(
    station_id: str,
    context: Context,
    caller: Viewer,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[CommandRecordOut]:
    await context.services.network.station(station_id)  # 404 for an unknown station
    records = await context.services.remote.history(station_id, limit)
    return [CommandRecordOut.from_domain(r, role_of(caller)) for r in records]


@router.get(
    "/commands/{command_id}", summary="One command record", responses=problem_responses(404)
)
async def get_command(
    command_id: BigRecordId, context: Context, caller: Viewer
) -> CommandRecordOut:
    record = await context.services.remote.get(command_id)
    return CommandRecordOut.from_domain(record, role_of(caller))
