"""Golden frames: a literal inbound frame and the exact reply, per CALLERROR code and version.

Every case also checks that the session still answers a valid Heartbeat afterwards.
Decisions and sources: docs/adr/0002-callerror-codes.md.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from forecourt.ocpp.session import OcppSession
from forecourt.ocpp.versions import OcppVersion

from .fakes import NOW, FakeTransport, ScriptedHandler, heartbeat, settle
from .spec_tables import OCPP16_TABLE_7, OCPP21_TABLE, OCPP201_TABLE_8

INTERNAL = (
    "An internal error occurred and the receiver was not able to process the requested "
    "Action successfully"
)
STATUS_16 = (
    "status must be one of ['Available', 'Preparing', 'Charging', 'SuspendedEVSE', "
    "'SuspendedEV', 'Finishing', 'Reserved', 'Unavailable', 'Faulted']"
)
STATUS_201 = (
    "connectorStatus must be one of ['Available', 'Occupied', 'Reserved', 'Unavailable', 'Faulted']"
)


def raise_in_handler(message_id: str, failure: str) -> str:
    payload = {"vendorId": "test.raise", "messageId": failure}
    return json.dumps([2, message_id, "DataTransfer", payload])


# (name, inbound frame, expected reply or None for "no reply")
Case = tuple[str, str | bytes, list[Any] | None]

#: Handler errors and null payloads answer with the same codes in both versions.
SHARED_CASES: list[Case] = [
    (
        "handler-not-supported",
        raise_in_handler("m13", "NOT_SUPPORTED"),
        [4, "m13", "NotSupported", "raised by handler: NOT_SUPPORTED", {}],
    ),
    (
        "handler-security",
        raise_in_handler("m14", "SECURITY"),
        [4, "m14", "SecurityError", "raised by handler: SECURITY", {}],
    ),
    (
        "handler-protocol",
        raise_in_handler("m15", "PROTOCOL"),
        [4, "m15", "ProtocolError", "raised by handler: PROTOCOL", {}],
    ),
    (
        "handler-generic",
        raise_in_handler("m16", "GENERIC"),
        [4, "m16", "GenericError", "raised by handler: GENERIC", {}],
    ),
    ("handler-crash", raise_in_handler("m17", "crash"), [4, "m17", "InternalError", INTERNAL, {}]),
    (
        "handler-invalid-response",
        raise_in_handler("m18", "invalid-response"),
        [4, "m18", "InternalError", INTERNAL, {}],
    ),
    ("null-payload-is-empty", '[2,"m19","Heartbeat",null]', [3, "m19", {"currentTime": NOW}]),
]

CASES_16: list[Case] = [
    (
        "malformed-json",
        '[2,"m1","Heartbeat",{',
        [4, "-1", "FormationViolation", "Message is not valid JSON", {}],
    ),
    (
        "lone-surrogate",
        '[2,"m1","Heartbeat",{"x":"\udcff"}]',
        [4, "-1", "FormationViolation", "Message is not valid JSON", {}],
    ),
    (
        "not-an-array",
        '{"messageTypeId":2}',
        [4, "-1", "FormationViolation", "Message is not a non-empty JSON array", {}],
    ),
    (
        "unreadable-message-id",
        '[2,17,"Heartbeat",{}]',
        [4, "-1", "FormationViolation", "MessageId could not be read", {}],
    ),
    (
        "message-id-too-long",
        json.dumps([2, "x" * 37, "Heartbeat", {}]),
        [4, "x" * 37, "FormationViolation", "MessageId is longer than 36 characters", {}],
    ),
    (
        "message-type-not-an-integer",
        '["2","m2","Heartbeat",{}]',
        [4, "m2", "FormationViolation", "MessageTypeId is not an integer", {}],
    ),
    # OCPP-J 1.6 §4.1.3: an unknown message type is ignored, not answered.
    ("unknown-message-type", '[7,"m3","Heartbeat",{}]', None),
    (
        "call-with-three-elements",
        '[2,"m4","Heartbeat"]',
        [4, "m4", "FormationViolation", "A CALL has 4 elements, got 3", {}],
    ),
    (
        "payload-not-an-object",
        '[2,"m5","Heartbeat",[]]',
        [4, "m5", "FormationViolation", "Payload is not a JSON object", {}],
    ),
    (
        "unknown-action",
        '[2,"m6","FlyToTheMoon",{}]',
        [4, "m6", "NotImplemented", "Action 'FlyToTheMoon' is not known by this receiver", {}],
    ),
    (
        "missing-required-field",
        '[2,"m7","Authorize",{}]',
        [4, "m7", "OccurenceConstraintViolation", "Missing required field(s): idTag", {}],
    ),
    (
        "wrong-type",
        '[2,"m8","StatusNotification",'
        '{"connectorId":"1","errorCode":"NoError","status":"Available"}]',
        [
            4,
            "m8",
            "TypeConstraintViolation",
            "connectorId must be integer",
            {"field": "connectorId"},
        ],
    ),
    (
        "bad-enum",
        '[2,"m9","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Broken"}]',
        [4, "m9", "PropertyConstraintViolation", STATUS_16, {"field": "status"}],
    ),
    (
        "string-too-long",
        '[2,"m10","BootNotification",'
        '{"chargePointVendor":"VendorWithAVeryLongName","chargePointModel":"M"}]',
        [
            4,
            "m10",
            "PropertyConstraintViolation",
            "chargePointVendor must be shorter than or equal to 20 characters",
            {"field": "chargePointVendor"},
        ],
    ),
    (
        "bad-date-time",
        '[2,"m11","StartTransaction",'
        '{"connectorId":1,"idTag":"A","meterStart":0,"timestamp":"yesterday"}]',
        [
            4,
            "m11",
            "PropertyConstraintViolation",
            "timestamp must be date-time",
            {"field": "timestamp"},
        ],
    ),
    (
        "extra-property",
        '[2,"m12","Heartbeat",{"foo":1}]',
        [4, "m12", "FormationViolation", "Unexpected field(s): foo", {}],
    ),
    *SHARED_CASES,
]


CASES_201: list[Case] = [
    (
        "malformed-json",
        '[2,"m1","Heartbeat",{',
        [4, "-1", "RpcFrameworkError", "Message is not valid JSON", {}],
    ),
    (
        "invalid-utf8-bytes",
        b'[2,"m1","Heartbeat",{"x":"\xff"}]',
        [4, "-1", "RpcFrameworkError", "Message is not valid JSON", {}],
    ),
    (
        "not-an-array",
        '"just a string"',
        [4, "-1", "RpcFrameworkError", "Message is not a non-empty JSON array", {}],
    ),
    (
        "unreadable-message-id",
        '[2,null,"Heartbeat",{}]',
        [4, "-1", "RpcFrameworkError", "MessageId could not be read", {}],
    ),
    (
        "message-type-not-an-integer",
        '[true,"m2","Heartbeat",{}]',
        [4, "m2", "RpcFrameworkError", "MessageTypeId is not an integer", {}],
    ),
    # OCPP 2.0.1 Part 4 §4.4: answer an unknown message type with MessageTypeNotSupported.
    (
        "unknown-message-type",
        '[7,"m3","Heartbeat",{}]',
        [4, "m3", "MessageTypeNotSupported", "MessageTypeId 7 is not supported", {}],
    ),
    (
        "action-not-a-string",
        '[2,"m4",42,{}]',
        [4, "m4", "RpcFrameworkError", "Action is not a non-empty string", {}],
    ),
    (
        "payload-not-an-object",
        '[2,"m5","Heartbeat","{}"]',
        [4, "m5", "FormatViolation", "Payload is not a JSON object", {}],
    ),
    (
        "unknown-action",
        '[2,"m6","StartTransaction",{}]',
        [4, "m6", "NotImplemented", "Action 'StartTransaction' is not known by this receiver", {}],
    ),
    (
        "missing-required-field",
        '[2,"m7","Authorize",{"idToken":{"type":"ISO14443"}}]',
        [
            4,
            "m7",
            "OccurrenceConstraintViolation",
            "Missing required field(s) in idToken: idToken",
            {"field": "idToken"},
        ],
    ),
    (
        "too-few-items",
        '[2,"m7b","MeterValues",{"evseId":1,"meterValue":[]}]',
        [
            4,
            "m7b",
            "OccurrenceConstraintViolation",
            "meterValue must contain at least 1 items",
            {"field": "meterValue"},
        ],
    ),
    (
        "wrong-type",
        '[2,"m8","StatusNotification",{"timestamp":"2024-01-01T00:00:00Z",'
        '"connectorStatus":"Available","evseId":"1","connectorId":1}]',
        [4, "m8", "TypeConstraintViolation", "evseId must be integer", {"field": "evseId"}],
    ),
    (
        "bad-enum",
        '[2,"m9","StatusNotification",{"timestamp":"2024-01-01T00:00:00Z",'
        '"connectorStatus":"Broken","evseId":1,"connectorId":1}]',
        [4, "m9", "PropertyConstraintViolation", STATUS_201, {"field": "connectorStatus"}],
    ),
    (
        "string-too-long",
        json.dumps(
            [
                2,
                "m10",
                "BootNotification",
                {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V" * 51}},
            ]
        ),
        [
            4,
            "m10",
            "PropertyConstraintViolation",
            "chargingStation.vendorName must be shorter than or equal to 50 characters",
            {"field": "chargingStation.vendorName"},
        ],
    ),
    (
        "extra-property",
        '[2,"m12","Heartbeat",{"foo":1,"bar":2}]',
        [4, "m12", "FormatViolation", "Unexpected field(s): bar, foo", {}],
    ),
    *SHARED_CASES,
]


#: 2.1 frames every case exactly as 2.0.1 does (same RPC framework, same error table).
CASES_21: list[Case] = CASES_201

ALL_CASES = [
    *[(OcppVersion.V16, *case) for case in CASES_16],
    *[(OcppVersion.V201, *case) for case in CASES_201],
    *[(OcppVersion.V21, *case) for case in CASES_21],
]


@pytest.mark.parametrize(
    ("ocpp_version", "name", "inbound", "expected"),
    ALL_CASES,
    ids=[f"{case[0].value}-{case[1]}" for case in ALL_CASES],
)
async def test_golden_frame_then_session_still_answers(
    ocpp_version: OcppVersion, name: str, inbound: str | bytes, expected: list[Any] | None
) -> None:
    transport = FakeTransport()
    session = OcppSession(
        ocpp_version, transport, ScriptedHandler(ocpp_version), station_id="CS-golden"
    )

    await session.receive(inbound)
    await settle()

    replies = [json.loads(text) for text in transport.sent]
    assert replies == ([] if expected is None else [expected]), name

    await session.receive(heartbeat("after"))
    await settle()
    assert json.loads(transport.sent[-1]) == [3, "after", {"currentTime": NOW}]
    session.close()


@pytest.mark.parametrize(
    ("cases", "table"),
    [(CASES_16, OCPP16_TABLE_7), (CASES_201, OCPP201_TABLE_8), (CASES_21, OCPP21_TABLE)],
    ids=["ocpp1.6", "ocpp2.0.1", "ocpp2.1"],
)
def test_golden_cases_cover_every_code_of_the_version_and_nothing_else(
    cases: list[Case], table: set[str]
) -> None:
    codes = {case[2][2] for case in cases if case[2] is not None and case[2][0] == 4}
    assert codes == table
