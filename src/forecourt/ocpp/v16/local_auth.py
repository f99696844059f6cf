"""OCPP 1.6 Local Auth List Management and Reservation profiles: render and interpret."""

from __future__ import annotations

from typing import assert_never

from forecourt.domain.commands import CommandResult, CommandStatus
from forecourt.domain.local_auth import (
    CancelReservation,
    GetLocalListLimits,
    GetLocalListVersion,
    LocalListEntry,
    ReserveNow,
    SendLocalList,
    SetAuthCache,
)
from forecourt.ocpp.adapter import Payload
from forecourt.ocpp.rendering import LocalAuthCommand, Rendered
from forecourt.ocpp.v16.mapping import AUTHORIZATION_STATUS
from forecourt.ocpp.v16.wire_types.common import IdTagInfo
from forecourt.ocpp.v16.wire_types.configuration import (
    ChangeConfigurationRequest,
    GetConfigurationRequest,
)
from forecourt.ocpp.v16.wire_types.local_auth import (
    CancelReservationRequest,
    GetLocalListVersionRequest,
    LocalAuthorizationList,
    ReserveNowRequest,
    SendLocalListRequest,
)

#: The 1.6 configuration key of the authorization cache (§9.1.2).
AUTH_CACHE_KEY = "AuthorizationCacheEnabled"

#: The 1.6 keys of the list's limits (§9.4) -> neutral names.
LIMIT_KEYS = {"SendLocalListMaxLength": "per_message", "LocalAuthListMaxLength": "entries"}

#: Answers of SendLocalList, ReserveNow and CancelReservation beyond the common ones.
LOCAL_AUTH_STATUS: dict[str, CommandStatus] = {
    "Accepted": CommandStatus.ACCEPTED,
    "Rejected": CommandStatus.REJECTED,
    "NotSupported": CommandStatus.NOT_SUPPORTED,
    "Failed": CommandStatus.FAILED,
    "VersionMismatch": CommandStatus.VERSION_MISMATCH,
    "Occupied": CommandStatus.OCCUPIED,
    "Faulted": CommandStatus.FAULTED,
    "Unavailable": CommandStatus.UNAVAILABLE,
}


def render(command: LocalAuthCommand) -> Rendered:
    match command:
        case SendLocalList():  # §5.15
            return "SendLocalList", _send_local_list(command)
        case GetLocalListVersion():  # §5.10
            return "GetLocalListVersion", GetLocalListVersionRequest()
        case GetLocalListLimits():  # §9.4: the profile's configuration keys
            return "GetConfiguration", GetConfigurationRequest(key=list(LIMIT_KEYS))
        case SetAuthCache():  # §9.1.2 AuthorizationCacheEnabled
            value = "true" if command.enabled else "false"
            return "ChangeConfiguration", ChangeConfigurationRequest(
                key=AUTH_CACHE_KEY, value=value
            )
        case ReserveNow():  # §5.14
            return "ReserveNow", _reserve_now(command)
        case CancelReservation():  # §5.1
            return "CancelReservation", CancelReservationRequest(
                reservationId=command.reservation_id
            )
        case _:
            assert_never(command)


def interpret(command: LocalAuthCommand, response: Payload) -> CommandResult:
    if isinstance(command, GetLocalListVersion):
        return CommandResult(CommandStatus.ACCEPTED, {"version": response.get("listVersion")})
    if isinstance(command, GetLocalListLimits):
        values = {item["key"]: item.get("value") for item in response.get("configurationKey", [])}
        limits = {name: _integer(values.get(key)) for key, name in LIMIT_KEYS.items()}
        return CommandResult(CommandStatus.ACCEPTED, limits)
    raw = response.get("status", "")
    status = LOCAL_AUTH_STATUS.get(raw, CommandStatus.REJECTED)
    if isinstance(command, SetAuthCache) and raw == "RebootRequired":
        status = CommandStatus.REBOOT_REQUIRED
    return CommandResult(status, {"status": raw})


def _send_local_list(command: SendLocalList) -> SendLocalListRequest:
    request = SendLocalListRequest(
        listVersion=command.version, updateType="Full" if command.full else "Differential"
    )
    request["localAuthorizationList"] = [_entry(entry) for entry in command.entries]
    return request


def _entry(entry: LocalListEntry) -> LocalAuthorizationList:
    item = LocalAuthorizationList(idTag=entry.id_token)
    if entry.status is not None:  # no idTagInfo: remove the tag (differential update)
        info = IdTagInfo(status=AUTHORIZATION_STATUS[entry.status])
        if entry.expires_at:
            info["expiryDate"] = entry.expires_at
        if entry.group:
            info["parentIdTag"] = entry.group[:20]
        item["idTagInfo"] = info
    return item


def _reserve_now(command: ReserveNow) -> ReserveNowRequest:
    request = ReserveNowRequest(
        connectorId=command.evse_id,
        expiryDate=command.expires_at,
        idTag=command.id_token,
        reservationId=command.reservation_id,
    )
    if command.group:
        request["parentIdTag"] = command.group[:20]
    return request


def _integer(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.strip().isdigit() else None
