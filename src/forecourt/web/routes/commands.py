"""Commands from the dashboard: technicians and above, on stations they can see.

A form posts here; the station's answer comes back as a fragment (htmx) or, without
JavaScript, the station page shows it after a redirect.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from forecourt.api.bounds import RecordId
from forecourt.api.command_bodies import CommandBody
from forecourt.domain.commands import Command, CommandRecord
from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.domain.stations import ProtocolVersion, Station
from forecourt.web.auth import CSRF_FIELD, Technician
from forecourt.web.context import Web, WebContext
from forecourt.web.errors import is_htmx
from forecourt.web.routes import page_router
from forecourt.web.scope import visible_station

router = page_router()

_BODY: TypeAdapter[Any] = TypeAdapter(CommandBody)

#: Commands the station page offers (remote stop lives on the session).
FORM_KINDS = frozenset(
    {"reset", "unlock_connector", "change_availability", "remote_start", "trigger_message"}
    | {"get_configuration", "get_report", "set_network_profile", "get_transaction_status"}
)

#: 2.0.1 has no "all keys" GetVariables: the station page asks for these common ones.
DEFAULT_201_KEYS = (
    "OCPPCommCtrlr.HeartbeatInterval",
    "OCPPCommCtrlr.WebSocketPingInterval",
    "SampledDataCtrlr.TxUpdatedInterval",
    "SampledDataCtrlr.TxUpdatedMeasurands",
    "AuthCtrlr.AuthorizeRemoteStart",
    "TxCtrlr.EVConnectionTimeOut",
)


@router.post("/dashboard/stations/{station_id}/commands/{kind}")
async def send_command(
    request: Request, station_id: str, kind: str, me: Technician, web: Web
) -> Response:
    station = await visible_station(web, me, station_id)
    if kind not in FORM_KINDS:
        raise NotFound("command", kind)
    command = command_from_form(kind, await request.form(), station)
    record = await web.services.remote.send(station_id, command, requested_by=me.requester)
    return answer(request, web, record)


@router.post("/dashboard/stations/{station_id}/password-rotation")
async def rotate_password(request: Request, station_id: str, me: Technician, web: Web) -> Response:
    await visible_station(web, me, station_id)
    record = await web.services.passwords.rotate(station_id, requested_by=me.requester)
    return answer(request, web, record)


@router.post("/dashboard/sessions/{transaction_id}/stop")
async def stop_session(
    request: Request, transaction_id: RecordId, me: Technician, web: Web
) -> Response:
    detail = await web.services.history.detail(transaction_id)
    await visible_station(web, me, detail.transaction.station_id)
    record = await web.services.remote.stop_transaction(transaction_id, requested_by=me.requester)
    return answer(request, web, record)


def answer(request: Request, web: WebContext, record: CommandRecord) -> Response:
    if is_htmx(request):
        context = {"record": record, "succeeded": record.status.succeeded}
        return web.page(request, "dashboard/_command_result.html", context)
    target = f"/dashboard/stations/{record.station_id}?command={record.id}#command-result"
    return RedirectResponse(target, status_code=303)


def command_from_form(kind: str, form: FormData, station: Station) -> Command:
    fields: dict[str, Any] = {
        name: value
        for name, value in form.items()
        if name != CSRF_FIELD and isinstance(value, str) and value.strip()
    }
    if kind == "unlock_connector" and "connector" in fields:
        evse_id, _, connector_id = fields.pop("connector").partition(":")
        fields.update(evse_id=evse_id, connector_id=connector_id)
    if kind == "get_report":
        fields["keys"] = [k.strip() for k in fields.pop("keys", "").split(",") if k.strip()]
        fields["criteria"] = [fields.pop("criteria")] if "criteria" in fields else []
    if kind == "get_configuration":
        keys = [k.strip() for k in fields.pop("keys", "").split(",") if k.strip()]
        if not keys and station.protocol in (ProtocolVersion.V201, ProtocolVersion.V21):
            keys = list(DEFAULT_201_KEYS)
        fields["keys"] = keys
    try:
        body = _BODY.validate_python({**fields, "kind": kind})
    except ValidationError as invalid:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'form'}: {e['msg']}"
            for e in invalid.errors()
        )
        raise InvalidInput(f"cannot send {kind.replace('_', ' ')}: {problems}") from invalid
    command: Command = body.to_command()
    return command
