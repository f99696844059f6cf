"""OCPP-J framing: parse and encode CALL / CALLRESULT / CALLERROR."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import Enum

import pytest

from forecourt.ocpp.errors import ErrorKind
from forecourt.ocpp.rpc import (
    UNKNOWN_MESSAGE_ID,
    Call,
    CallError,
    CallResult,
    Frame,
    FrameError,
    MessageType,
    encode_frame,
    new_message_id,
    parse_frame,
    to_json_native,
)
from forecourt.ocpp.versions import OcppVersion


def test_subprotocol_names_are_the_enum_values() -> None:
    assert OcppVersion.V16.value == "ocpp1.6"
    assert OcppVersion.V201.value == "ocpp2.0.1"
    assert OcppVersion("ocpp2.0.1") is OcppVersion.V201


@pytest.mark.parametrize(
    ("text", "frame"),
    [
        ('[2,"a","Heartbeat",{}]', Call("a", "Heartbeat", {})),
        (b'[2,"a","Authorize",{"idTag":"X"}]', Call("a", "Authorize", {"idTag": "X"})),
        ('[3,"b",{"currentTime":"t"}]', CallResult("b", {"currentTime": "t"})),
        ('[3,"b",null]', CallResult("b", {})),
        ('[4,"c","NotSupported","nope",{"k":1}]', CallError("c", "NotSupported", "nope", {"k": 1})),
        # Lenient on the informative parts of an inbound CALLERROR.
        ('[4,"c","GenericError"]', CallError("c", "GenericError", "", {})),
        ('[4,"c","GenericError",5,[1]]', CallError("c", "GenericError", "5", {"value": [1]})),
    ],
)
def test_parse_valid_frames(text: str | bytes, frame: object) -> None:
    for version in OcppVersion:
        assert parse_frame(text, version) == frame


@pytest.mark.parametrize(
    ("text", "kind", "message_id", "message_type"),
    [
        ("", ErrorKind.RPC_FRAMEWORK, None, None),
        ("[]", ErrorKind.RPC_FRAMEWORK, None, None),
        ("[2]", ErrorKind.RPC_FRAMEWORK, None, MessageType.CALL),
        ('[3,""]', ErrorKind.RPC_FRAMEWORK, None, MessageType.CALLRESULT),
        ('[2.0,"a","Heartbeat",{}]', ErrorKind.RPC_FRAMEWORK, "a", None),
        ('[3,"a",{},{}]', ErrorKind.RPC_FRAMEWORK, "a", MessageType.CALLRESULT),
        ('[3,"a",[]]', ErrorKind.FORMAT, "a", MessageType.CALLRESULT),
        ('[4,"a",1,"d",{}]', ErrorKind.RPC_FRAMEWORK, "a", MessageType.CALLERROR),
        ('[2,"a","",{}]', ErrorKind.RPC_FRAMEWORK, "a", MessageType.CALL),
        ('[5,"a","Heartbeat",{}]', ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED, "a", 5),
    ],
)
def test_parse_errors_carry_what_could_be_read(
    text: str, kind: ErrorKind, message_id: str | None, message_type: int | None
) -> None:
    with pytest.raises(FrameError) as caught:
        parse_frame(text, OcppVersion.V201)
    assert caught.value.kind is kind
    assert caught.value.message_id == message_id
    assert caught.value.message_type == message_type


def test_message_id_length_limit_can_be_lifted() -> None:
    long_id = "{" + "a" * 36 + "}"
    frame = parse_frame(
        json.dumps([2, long_id, "Heartbeat", {}]), OcppVersion.V16, max_message_id_length=None
    )
    assert isinstance(frame, Call)
    assert frame.message_id == long_id


def test_encode_is_compact_and_round_trips() -> None:
    frames: list[Frame] = [
        Call("a", "Heartbeat", {}),
        CallResult("b", {"status": "Accepted", "n": 1.5}),
        CallError("c", "InternalError", "", {}),
    ]
    assert encode_frame(frames[0]) == '[2,"a","Heartbeat",{}]'
    assert encode_frame(frames[2]) == '[4,"c","InternalError","",{}]'
    for frame in frames:
        assert parse_frame(encode_frame(frame), OcppVersion.V16) == frame


class Colour(Enum):
    RED = "Red"


@dataclass
class Point:
    x: int


def test_datetimes_are_encoded_as_ocpp_timestamps_and_other_types_natively() -> None:
    when = datetime(2024, 5, 6, 14, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    payload = {"at": when, "colour": Colour.RED, "point": Point(3), "naive": datetime(2024, 1, 1)}
    assert to_json_native(payload) == {
        "at": "2024-05-06T12:00:00.123Z",
        "colour": "Red",
        "point": {"x": 3},
        "naive": "2024-01-01T00:00:00Z",
    }
    assert encode_frame(CallResult("m", {"t": datetime(2024, 1, 1, tzinfo=UTC)})) == (
        '[3,"m",{"t":"2024-01-01T00:00:00Z"}]'
    )


def test_unserialisable_payloads_raise_type_error() -> None:
    with pytest.raises(TypeError):
        to_json_native({"x": object()})


def test_new_message_ids_are_unique_and_fit_36_characters() -> None:
    ids = {new_message_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(message_id) <= 36 for message_id in ids)
    assert UNKNOWN_MESSAGE_ID == "-1"
