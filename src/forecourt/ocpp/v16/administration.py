"""OCPP 1.6 administration commands: the station password (security whitepaper
``AuthorizationKey``); 2.0.1's custom reports, network profiles and transaction status
have no 1.6 message."""

from __future__ import annotations

from typing import assert_never

from forecourt.domain.commands import (
    CommandResult,
    CommandStatus,
    GetMessageLimits,
    GetReport,
    GetTransactionStatus,
    SetConfigurationItems,
    SetNetworkProfile,
    SetStationPassword,
)
from forecourt.domain.errors import CommandNotSupported
from forecourt.ocpp.adapter import Payload
from forecourt.ocpp.rendering import AdministrationCommand, Rendered
from forecourt.ocpp.v16.mapping import COMMAND_STATUS
from forecourt.ocpp.v16.wire_types.configuration import (
    ChangeConfigurationRequest,
    GetConfigurationRequest,
)

#: How many keys one GetConfiguration may ask for (§9.1.9).
MAX_KEYS = "GetConfigurationMaxKeys"

#: The 1.6 security whitepaper's configuration key of the HTTP Basic password.
PASSWORD_KEY = "AuthorizationKey"


def render_administration(command: AdministrationCommand) -> Rendered:
    match command:
        case SetStationPassword():
            request = ChangeConfigurationRequest(key=PASSWORD_KEY, value=command.password)
            return "ChangeConfiguration", request
        case GetReport():
            raise CommandNotSupported("OCPP 1.6 has no custom report; use get-config instead")
        case SetNetworkProfile():
            raise CommandNotSupported("OCPP 1.6 has no network profiles (SetNetworkProfile)")
        case GetTransactionStatus():
            raise CommandNotSupported("OCPP 1.6 has no GetTransactionStatus")
        case SetConfigurationItems():  # §5.3: one key per ChangeConfiguration
            if len(command.items) != 1:
                raise CommandNotSupported("OCPP 1.6 changes one configuration key per message")
            (item,) = command.items
            request = ChangeConfigurationRequest(key=item.key.variable, value=item.value)
            return "ChangeConfiguration", request
        case GetMessageLimits():  # §9.1.9
            return "GetConfiguration", GetConfigurationRequest(key=[MAX_KEYS])
        case _:
            assert_never(command)


def administration_result(command: AdministrationCommand, response: Payload) -> CommandResult:
    """A ChangeConfiguration's status, or the limits read from GetConfiguration."""
    if isinstance(command, GetMessageLimits):
        return CommandResult(CommandStatus.ACCEPTED, _limits(response))
    raw = response.get("status", "")
    if isinstance(command, SetConfigurationItems):
        status = COMMAND_STATUS.get(raw, CommandStatus.REJECTED)
        items = [{"key": str(item.key), "status": status.value} for item in command.items]
        return CommandResult(CommandStatus.ACCEPTED, {"items": items})
    status = COMMAND_STATUS.get(raw, COMMAND_STATUS["Rejected"])
    return CommandResult(status, {"status": raw})


def _limits(response: Payload) -> dict[str, int]:
    """1.6 changes one key per message; it may bound how many it reads."""
    limits = {"set_items": 1}
    for item in response.get("configurationKey", []):
        value = str(item.get("value") or "")
        if item.get("key") == MAX_KEYS and value.isdigit():
            limits["get_items"] = int(value)
    return limits
