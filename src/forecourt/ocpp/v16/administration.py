"""OCPP 1.6 administration commands: the station password (security whitepaper
``AuthorizationKey``); 2.0.1's custom reports, network profiles and transaction status
have no 1.6 message."""

from __future__ import annotations

from typing import assert_never

from forecourt.domain.commands import (
    CommandResult,
    GetReport,
    GetTransactionStatus,
    SetNetworkProfile,
    SetStationPassword,
)
from forecourt.domain.errors import CommandNotSupported
from forecourt.ocpp.adapter import Payload
from forecourt.ocpp.rendering import AdministrationCommand, Rendered
from forecourt.ocpp.v16.mapping import COMMAND_STATUS
from forecourt.ocpp.v16.wire_types.configuration import ChangeConfigurationRequest

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
        case _:
            assert_never(command)


def administration_status(response: Payload) -> CommandResult:
    """Only the password has a 1.6 message, and its answer is a status."""
    raw = response.get("status", "")
    status = COMMAND_STATUS.get(raw, COMMAND_STATUS["Rejected"])
    return CommandResult(status, {"status": raw})
