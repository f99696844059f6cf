"""OCPP 2.0.1 CSMS -> station: render neutral commands, interpret the station's answers.

Every rendered payload validates against the 2.0.1 request schema (tested). Answers become a
``CommandResult`` whose ``data`` uses neutral keys only.
"""

from __future__ import annotations

import zlib
from decimal import Decimal
from typing import assert_never

from forecourt.domain.commands import (
    ChangeAvailability,
    ClearCache,
    Command,
    CostUpdate,
    DataTransfer,
    DisplayPrice,
    GetBaseReport,
    GetConfiguration,
    RemoteStart,
    RemoteStop,
    Reset,
    SetConfiguration,
    StationPrice,
    TriggerMessage,
    UnlockConnector,
)
from forecourt.domain.tokens import TokenKind
from forecourt.ocpp.adapter import Payload
from forecourt.ocpp.rendering import (
    ConfigurationCommand,
    ControlCommand,
    FamilyRenderers,
    MessageCommand,
    Rendered,
    tariffs_not_supported,
)
from forecourt.ocpp.v201 import certificates, local_auth, maintenance, smart_charging
from forecourt.ocpp.v201.administration import render_administration
from forecourt.ocpp.v201.device import render_device
from forecourt.ocpp.v201.device_model import get_variable_data, set_variable_data
from forecourt.ocpp.v201.mapping import (
    OPERATIONAL_STATUS,
    REPORT_BASE,
    RESET_TYPE,
    TOKEN_TYPE,
    TRIGGER_MESSAGE,
)
from forecourt.ocpp.v201.wire_types.authorization import ClearCacheRequest
from forecourt.ocpp.v201.wire_types.availability import ChangeAvailabilityRequest
from forecourt.ocpp.v201.wire_types.common import (
    EVSEType,
    IdTokenType,
    MessageContentType,
    MessageInfoType,
)
from forecourt.ocpp.v201.wire_types.diagnostics import DataTransferRequest
from forecourt.ocpp.v201.wire_types.display import (
    CostUpdatedRequest,
    SetDisplayMessageRequest,
)
from forecourt.ocpp.v201.wire_types.provisioning import ResetRequest
from forecourt.ocpp.v201.wire_types.remote_control import (
    RequestStartTransactionRequest,
    RequestStopTransactionRequest,
    TriggerMessageRequest,
    UnlockConnectorRequest,
)
from forecourt.ocpp.v201.wire_types.variables import (
    GetBaseReportRequest,
    GetVariablesRequest,
    SetVariablesRequest,
)

#: remoteStartId is an integer; derived ids stay in the positive int32 range.
_MAX_REMOTE_START_ID = 2**31 - 1
#: Display message ids of the per-EVSE prices: 7100 + the EVSE id.
PRICE_MESSAGE_BASE = 7100


def render(command: Command) -> tuple[str, Payload]:
    """Neutral command -> (action, payload). Raises CommandNotSupported when 2.0.1 cannot."""
    return _RENDERERS.render(command)


def _render_control(command: ControlCommand) -> Rendered:
    match command:
        case Reset():  # B11/B12
            return "Reset", _reset(command)
        case UnlockConnector():  # F05
            unlock = UnlockConnectorRequest(
                evseId=command.evse_id, connectorId=command.connector_id
            )
            return "UnlockConnector", unlock
        case ChangeAvailability():  # G03/G04
            return "ChangeAvailability", _availability(command)
        case RemoteStart():  # F01/F02
            return "RequestStartTransaction", _request_start(command)
        case RemoteStop():  # F03
            tx_id = command.station_tx_id
            return "RequestStopTransaction", RequestStopTransactionRequest(transactionId=tx_id)
        case _:
            assert_never(command)


def _render_configuration(command: ConfigurationCommand) -> Rendered:
    match command:
        case TriggerMessage():  # F06
            return "TriggerMessage", _trigger(command)
        case GetConfiguration():  # B06
            return "GetVariables", GetVariablesRequest(
                getVariableData=get_variable_data(command.keys)
            )
        case SetConfiguration():  # B05
            return "SetVariables", SetVariablesRequest(setVariableData=[set_variable_data(command)])
        case GetBaseReport():  # B07
            return "GetBaseReport", _base_report(command)
        case ClearCache():  # C11
            return "ClearCache", ClearCacheRequest()
        case _:
            assert_never(command)


def _render_messages(command: MessageCommand) -> Rendered:
    match command:
        case DataTransfer():  # P01
            return "DataTransfer", _data_transfer(command)
        case DisplayPrice():  # O01/O02: the price before and during the session
            return "SetDisplayMessage", SetDisplayMessageRequest(message=_price_message(command))
        case StationPrice():  # O01: each EVSE's price, shown while idle
            return "SetDisplayMessage", SetDisplayMessageRequest(message=_evse_price(command))
        case CostUpdate():  # I02: running and final total cost
            total = _number(command.total)
            cost = CostUpdatedRequest(totalCost=total, transactionId=command.station_tx_id)
            return "CostUpdated", cost
        case _:
            assert_never(command)


def remote_start_id(command: RemoteStart) -> int:
    """The caller's remoteStartId, else one derived from the command (stable, positive).

    2.0.1 requires the field (F01/F02); deriving it from the command lets ``interpret`` report
    the id the station will echo in TransactionEvent.transactionInfo.remoteStartId.
    """
    if command.remote_start_id is not None:
        return command.remote_start_id
    digest = zlib.crc32(f"{command.id_token}|{command.evse_id}".encode())
    return digest % _MAX_REMOTE_START_ID + 1


def _reset(command: Reset) -> ResetRequest:
    request = ResetRequest(type=RESET_TYPE[command.hard])
    if command.evse_id is not None:  # B11.FR.08: only this EVSE
        request["evseId"] = command.evse_id
    return request


def _availability(command: ChangeAvailability) -> ChangeAvailabilityRequest:
    request = ChangeAvailabilityRequest(operationalStatus=OPERATIONAL_STATUS[command.operative])
    if command.evse_id != 0:  # evse_id 0: the whole station, so no evse (G04)
        evse = EVSEType(id=command.evse_id)
        if command.connector_id is not None:
            evse["connectorId"] = command.connector_id
        request["evse"] = evse
    return request


def _request_start(command: RemoteStart) -> RequestStartTransactionRequest:
    request = RequestStartTransactionRequest(
        idToken=IdTokenType(
            idToken=command.id_token, type=TOKEN_TYPE[command.token_kind or TokenKind.CENTRAL]
        ),
        remoteStartId=remote_start_id(command),
    )
    if command.evse_id is not None:
        request["evseId"] = command.evse_id
    return request


def _trigger(command: TriggerMessage) -> TriggerMessageRequest:
    request = TriggerMessageRequest(requestedMessage=TRIGGER_MESSAGE[command.message])
    if command.evse_id:  # None or 0: the station as a whole
        request["evse"] = EVSEType(id=command.evse_id)
    return request


def _base_report(command: GetBaseReport) -> GetBaseReportRequest:
    return GetBaseReportRequest(
        requestId=command.request_id, reportBase=REPORT_BASE[command.report]
    )


def _data_transfer(command: DataTransfer) -> DataTransferRequest:
    request = DataTransferRequest(vendorId=command.vendor_id)
    if command.message_id is not None:
        request["messageId"] = command.message_id
    if command.data is not None:
        request["data"] = command.data
    return request


def _price_message(command: DisplayPrice) -> MessageInfoType:
    """Before a session it is shown while idle; during one, in front of the transaction
    screen (the station removes it when the transaction ends)."""
    content = MessageContentType(
        format="UTF8", language=command.language[:8], content=command.text[:512]
    )
    if command.station_tx_id:
        info = MessageInfoType(id=command.message_id, message=content, priority="InFront")
        info["transactionId"] = command.station_tx_id
    else:
        info = MessageInfoType(id=command.message_id, message=content, priority="NormalCycle")
        info["state"] = "Idle"
    return info


def _evse_price(command: StationPrice) -> MessageInfoType:
    """One message per EVSE (its id derived from the EVSE's), so a new price replaces it."""
    text = f"EVSE {command.evse_id}: {command.text}"
    return _price_message(DisplayPrice(text, message_id=PRICE_MESSAGE_BASE + command.evse_id))


def _number(text: str) -> float:
    # A JSON number; the float's shortest repr is the decimal text itself for money amounts.
    return float(Decimal(text))


_RENDERERS = FamilyRenderers(
    control=_render_control,
    configuration=_render_configuration,
    messages=_render_messages,
    maintenance=maintenance.render,
    local_auth=local_auth.render,
    device=render_device,
    administration=render_administration,
    smart_charging=smart_charging.render,
    certificates=certificates.render,
    tariffs=tariffs_not_supported("2.0.1"),
)
