"""Golden frames of the local-authorization and reservation commands, 1.6 and 2.0.1.

Each rendered request is byte-for-byte what we expect and valid against the version's
official request schema; each answer maps to one neutral result.
"""

from __future__ import annotations

from typing import Any

import pytest

from forecourt.domain.commands import Command, CommandResult, CommandStatus
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
from forecourt.domain.tokens import AuthorizationStatus, TokenKind
from forecourt.ocpp.v16 import ADAPTER as V16
from forecourt.ocpp.v201 import ADAPTER as V201
from forecourt.ocpp.validation import validator_for
from forecourt.ocpp.versions import OcppVersion

UNTIL = "2026-12-07T18:00:00Z"
CARD = LocalListEntry("CARD-1", TokenKind.RFID, AuthorizationStatus.ACCEPTED, UNTIL, "FLEET")
GONE = LocalListEntry("CARD-2", TokenKind.RFID, status=None)
RESERVE = ReserveNow(7, "CARD-1", UNTIL, evse_id=2, kind=TokenKind.RFID, group="FLEET")

#: (command, 1.6 action and payload, 2.0.1 action and payload)
LOCAL_AUTH_RENDERED: list[tuple[Command, str, dict[str, Any], str, dict[str, Any]]] = [
    (
        SendLocalList(3, full=True, entries=(CARD,)),
        "SendLocalList",
        {
            "listVersion": 3,
            "updateType": "Full",
            "localAuthorizationList": [
                {
                    "idTag": "CARD-1",
                    "idTagInfo": {
                        "status": "Accepted",
                        "expiryDate": UNTIL,
                        "parentIdTag": "FLEET",
                    },
                }
            ],
        },
        "SendLocalList",
        {
            "versionNumber": 3,
            "updateType": "Full",
            "localAuthorizationList": [
                {
                    "idToken": {"idToken": "CARD-1", "type": "ISO14443"},
                    "idTokenInfo": {
                        "status": "Accepted",
                        "cacheExpiryDateTime": UNTIL,
                        "groupIdToken": {"idToken": "FLEET", "type": "Central"},
                    },
                }
            ],
        },
    ),
    (
        SendLocalList(4, full=False, entries=(GONE,)),
        "SendLocalList",
        {
            "listVersion": 4,
            "updateType": "Differential",
            "localAuthorizationList": [{"idTag": "CARD-2"}],
        },
        "SendLocalList",
        {
            "versionNumber": 4,
            "updateType": "Differential",
            "localAuthorizationList": [{"idToken": {"idToken": "CARD-2", "type": "ISO14443"}}],
        },
    ),
    (
        SendLocalList(5, full=True),
        "SendLocalList",
        {"listVersion": 5, "updateType": "Full", "localAuthorizationList": []},
        "SendLocalList",
        {"versionNumber": 5, "updateType": "Full"},  # minItems 1: an empty list has no array
    ),
    (GetLocalListVersion(), "GetLocalListVersion", {}, "GetLocalListVersion", {}),
    (
        GetLocalListLimits(),
        "GetConfiguration",
        {"key": ["SendLocalListMaxLength", "LocalAuthListMaxLength"]},
        "GetVariables",
        {
            "getVariableData": [
                {
                    "component": {"name": "LocalAuthListCtrlr"},
                    "variable": {"name": "ItemsPerMessage"},
                }
            ]
        },
    ),
    (
        SetAuthCache(enabled=False),
        "ChangeConfiguration",
        {"key": "AuthorizationCacheEnabled", "value": "false"},
        "SetVariables",
        {
            "setVariableData": [
                {
                    "component": {"name": "AuthCacheCtrlr"},
                    "variable": {"name": "Enabled"},
                    "attributeValue": "false",
                }
            ]
        },
    ),
    (
        RESERVE,
        "ReserveNow",
        {
            "connectorId": 2,
            "expiryDate": UNTIL,
            "idTag": "CARD-1",
            "reservationId": 7,
            "parentIdTag": "FLEET",
        },
        "ReserveNow",
        {
            "id": 7,
            "expiryDateTime": UNTIL,
            "idToken": {"idToken": "CARD-1", "type": "ISO14443"},
            "evseId": 2,
            "groupIdToken": {"idToken": "FLEET", "type": "Central"},
        },
    ),
    (
        ReserveNow(8, "APP-1", UNTIL, evse_id=0, connector_type="cCCS1"),
        "ReserveNow",
        {"connectorId": 0, "expiryDate": UNTIL, "idTag": "APP-1", "reservationId": 8},
        "ReserveNow",
        {
            "id": 8,
            "expiryDateTime": UNTIL,
            "idToken": {"idToken": "APP-1", "type": "Central"},
            "connectorType": "cCCS1",
        },
    ),
    (
        CancelReservation(7),
        "CancelReservation",
        {"reservationId": 7},
        "CancelReservation",
        {"reservationId": 7},
    ),
]


@pytest.mark.parametrize(("command", "a16", "p16", "a201", "p201"), LOCAL_AUTH_RENDERED)
def test_golden_request_per_version(
    command: Command, a16: str, p16: dict[str, Any], a201: str, p201: dict[str, Any]
) -> None:
    assert V16.render(command) == (a16, p16)
    validator_for(OcppVersion.V16).validate_request(a16, p16)
    assert V201.render(command) == (a201, p201)
    validator_for(OcppVersion.V201).validate_request(a201, p201)


def test_an_unknown_connector_type_is_refused_clearly() -> None:
    with pytest.raises(InvalidInput, match="connector type"):
        V201.render(ReserveNow(1, "A", UNTIL, connector_type="Schuko"))


#: (command, 1.6 answer, 2.0.1 answer, neutral result) — answers are schema-valid.
ANSWERS: list[tuple[Command, dict[str, Any], dict[str, Any], CommandStatus]] = [
    (
        SendLocalList(1, True),
        {"status": "Accepted"},
        {"status": "Accepted"},
        CommandStatus.ACCEPTED,
    ),
    (
        SendLocalList(2, False),
        {"status": "VersionMismatch"},
        {"status": "VersionMismatch"},
        CommandStatus.VERSION_MISMATCH,
    ),
    (SendLocalList(2, False), {"status": "Failed"}, {"status": "Failed"}, CommandStatus.FAILED),
    (RESERVE, {"status": "Occupied"}, {"status": "Occupied"}, CommandStatus.OCCUPIED),
    (RESERVE, {"status": "Faulted"}, {"status": "Faulted"}, CommandStatus.FAULTED),
    (RESERVE, {"status": "Unavailable"}, {"status": "Unavailable"}, CommandStatus.UNAVAILABLE),
    (RESERVE, {"status": "Rejected"}, {"status": "Rejected"}, CommandStatus.REJECTED),
    (CancelReservation(7), {"status": "Accepted"}, {"status": "Accepted"}, CommandStatus.ACCEPTED),
    (
        SetAuthCache(True),
        {"status": "Accepted"},
        {
            "setVariableResult": [
                {
                    "attributeStatus": "Accepted",
                    "component": {"name": "AuthCacheCtrlr"},
                    "variable": {"name": "Enabled"},
                }
            ]
        },
        CommandStatus.ACCEPTED,
    ),
]


@pytest.mark.parametrize(("command", "r16", "r201", "status"), ANSWERS)
def test_answers_per_version(
    command: Command, r16: dict[str, Any], r201: dict[str, Any], status: CommandStatus
) -> None:
    a16, _ = V16.render(command)
    validator_for(OcppVersion.V16).validate_response(a16, r16)
    a201, _ = V201.render(command)
    validator_for(OcppVersion.V201).validate_response(a201, r201)
    assert V16.interpret(command, r16).status is status
    assert V201.interpret(command, r201).status is status


def test_a_16_station_without_the_profile_says_not_supported() -> None:
    result = V16.interpret(SendLocalList(1, True), {"status": "NotSupported"})
    assert result.status is CommandStatus.NOT_SUPPORTED


def test_list_version_is_read_per_version() -> None:
    assert V16.interpret(GetLocalListVersion(), {"listVersion": 9}) == CommandResult(
        CommandStatus.ACCEPTED, {"version": 9}
    )
    assert V201.interpret(GetLocalListVersion(), {"versionNumber": 9}) == CommandResult(
        CommandStatus.ACCEPTED, {"version": 9}
    )


def test_list_limits_are_read_per_version() -> None:
    keys = [
        {"key": "SendLocalListMaxLength", "readonly": True, "value": "50"},
        {"key": "LocalAuthListMaxLength", "readonly": True, "value": "n/a"},
    ]
    validator_for(OcppVersion.V16).validate_response("GetConfiguration", {"configurationKey": keys})
    assert V16.interpret(GetLocalListLimits(), {"configurationKey": keys}).data == {
        "per_message": 50,
        "entries": None,
    }
    answer = {
        "getVariableResult": [
            {
                "attributeStatus": "Accepted",
                "attributeValue": "20",
                "component": {"name": "LocalAuthListCtrlr"},
                "variable": {"name": "ItemsPerMessage"},
            }
        ]
    }
    validator_for(OcppVersion.V201).validate_response("GetVariables", answer)
    assert V201.interpret(GetLocalListLimits(), answer).data == {"per_message": 20, "entries": None}
