"""OCPP 2.0.1 blocks C and D (local authorization list, cache) and H (reservations):
render neutral commands and interpret the station's answers."""

from __future__ import annotations

from typing import Any, assert_never, cast, get_args

from forecourt.domain.commands import CommandResult, CommandStatus, ConfigKey, SetConfiguration
from forecourt.domain.errors import InvalidInput
from forecourt.domain.local_auth import (
    CancelReservation,
    GetLocalListLimits,
    GetLocalListVersion,
    LocalListEntry,
    ReserveNow,
    SendLocalList,
    SetAuthCache,
)
from forecourt.domain.tokens import TokenKind
from forecourt.ocpp.adapter import Payload
from forecourt.ocpp.rendering import LocalAuthCommand, Rendered
from forecourt.ocpp.v201.mapping import AUTHORIZATION_STATUS, SET_VARIABLE_STATUS, TOKEN_TYPE
from forecourt.ocpp.v201.wire_types.common import (
    ComponentType,
    IdTokenInfoType,
    IdTokenType,
    VariableType,
)
from forecourt.ocpp.v201.wire_types.local_auth import (
    AuthorizationData,
    CancelReservationRequest,
    ConnectorEnumType,
    GetLocalListVersionRequest,
    ReserveNowRequest,
    SendLocalListRequest,
)
from forecourt.ocpp.v201.wire_types.variables import (
    GetVariableDataType,
    GetVariablesRequest,
    SetVariableDataType,
    SetVariablesRequest,
)

#: The 2.0.1 variable of the authorization cache (C11, AuthCacheCtrlr).
AUTH_CACHE_KEY = ConfigKey("Enabled", "AuthCacheCtrlr")

#: SendLocalList, ReserveNow and CancelReservation statuses -> neutral.
LOCAL_AUTH_STATUS: dict[str, CommandStatus] = {
    "Accepted": CommandStatus.ACCEPTED,
    "Rejected": CommandStatus.REJECTED,
    "Failed": CommandStatus.FAILED,
    "VersionMismatch": CommandStatus.VERSION_MISMATCH,
    "Occupied": CommandStatus.OCCUPIED,
    "Faulted": CommandStatus.FAULTED,
    "Unavailable": CommandStatus.UNAVAILABLE,
}


def auth_cache_setting(command: SetAuthCache) -> SetConfiguration:
    """The cache switch is a plain variable: set like any other (and answered like one)."""
    return SetConfiguration(AUTH_CACHE_KEY, "true" if command.enabled else "false")


def render(command: LocalAuthCommand) -> Rendered:
    match command:
        case SendLocalList():  # D01
            return "SendLocalList", _send_local_list(command)
        case GetLocalListVersion():  # D02
            return "GetLocalListVersion", GetLocalListVersionRequest()
        case GetLocalListLimits():  # D01: LocalAuthListCtrlr.ItemsPerMessage
            item = GetVariableDataType(
                component=ComponentType(name="LocalAuthListCtrlr"),
                variable=VariableType(name="ItemsPerMessage"),
            )
            return "GetVariables", GetVariablesRequest(getVariableData=[item])
        case SetAuthCache():  # C11: AuthCacheCtrlr.Enabled
            return "SetVariables", _auth_cache(command)
        case ReserveNow():  # H01
            return "ReserveNow", _reserve_now(command)
        case CancelReservation():  # H02
            return "CancelReservation", CancelReservationRequest(
                reservationId=command.reservation_id
            )
        case _:
            assert_never(command)


def interpret(command: LocalAuthCommand, response: Payload) -> CommandResult:
    """GetLocalListVersion's version, the cache variable's answer, or a plain status."""
    if isinstance(command, GetLocalListVersion):
        return CommandResult(CommandStatus.ACCEPTED, {"version": response.get("versionNumber")})
    if isinstance(command, GetLocalListLimits):
        results = response.get("getVariableResult") or [{}]
        value = results[0].get("attributeValue")
        per_message = int(value) if isinstance(value, str) and value.isdigit() else None
        return CommandResult(CommandStatus.ACCEPTED, {"per_message": per_message, "entries": None})
    if isinstance(command, SetAuthCache):
        results = response.get("setVariableResult") or [{}]
        answer = results[0].get("attributeStatus", "")
        return CommandResult(SET_VARIABLE_STATUS.get(answer, CommandStatus.REJECTED))
    raw = response.get("status", "")
    status = LOCAL_AUTH_STATUS.get(raw, CommandStatus.REJECTED)
    data: dict[str, Any] = {"status": raw}
    info = response.get("statusInfo")
    if isinstance(info, dict):
        data["reason"] = info.get("reasonCode", "")
    return CommandResult(status, data)


def _send_local_list(command: SendLocalList) -> SendLocalListRequest:
    request = SendLocalListRequest(
        versionNumber=command.version, updateType="Full" if command.full else "Differential"
    )
    if command.entries:  # minItems 1: an empty full list has no array at all
        request["localAuthorizationList"] = [_entry(entry) for entry in command.entries]
    return request


def _entry(entry: LocalListEntry) -> AuthorizationData:
    item = AuthorizationData(idToken=_token(entry.id_token, entry.kind))
    if entry.status is not None:  # no idTokenInfo: remove the token (differential update)
        info = IdTokenInfoType(status=AUTHORIZATION_STATUS[entry.status])
        if entry.expires_at:
            info["cacheExpiryDateTime"] = entry.expires_at
        if entry.group:
            info["groupIdToken"] = _token(entry.group, TokenKind.CENTRAL)
        item["idTokenInfo"] = info
    return item


def _auth_cache(command: SetAuthCache) -> SetVariablesRequest:
    setting = auth_cache_setting(command)
    item = SetVariableDataType(
        component=ComponentType(name=AUTH_CACHE_KEY.component or ""),
        variable=VariableType(name=AUTH_CACHE_KEY.variable),
        attributeValue=setting.value,
    )
    return SetVariablesRequest(setVariableData=[item])


def _reserve_now(command: ReserveNow) -> ReserveNowRequest:
    request = ReserveNowRequest(
        id=command.reservation_id,
        expiryDateTime=command.expires_at,
        idToken=_token(command.id_token, command.kind),
    )
    if command.evse_id:
        request["evseId"] = command.evse_id
    if command.connector_type:
        if command.connector_type not in get_args(ConnectorEnumType):
            raise InvalidInput(f"unknown 2.0.1 connector type {command.connector_type!r}")
        request["connectorType"] = cast(ConnectorEnumType, command.connector_type)
    if command.group:
        request["groupIdToken"] = _token(command.group, TokenKind.CENTRAL)
    return request


def _token(value: str, kind: TokenKind) -> IdTokenType:
    return IdTokenType(idToken=value, type=TOKEN_TYPE[kind])
