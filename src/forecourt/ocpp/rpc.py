"""OCPP-J framing: CALL / CALLRESULT / CALLERROR arrays, parsed and encoded.

Version-agnostic except for the error codes a frame problem maps to. See OCPP-J 1.6 §4 and
OCPP 2.0.1 Part 4 §4 for the message structures.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import orjson

from forecourt.ocpp.errors import ErrorKind, OcppError, error_code
from forecourt.ocpp.frames import (
    KNOWN_MESSAGE_TYPES,
    Call,
    CallError,
    CallResult,
    Frame,
    MessageType,
)
from forecourt.ocpp.timestamps import format_timestamp
from forecourt.ocpp.versions import OcppVersion

# The frame values live in `frames`; they are re-exported here, next to the code that
# parses and encodes them.
__all__ = [
    "KNOWN_MESSAGE_TYPES",
    "MAX_MESSAGE_ID_LENGTH",
    "MAX_PAYLOAD_DEPTH",
    "UNKNOWN_MESSAGE_ID",
    "Call",
    "CallError",
    "CallResult",
    "Frame",
    "FrameError",
    "MessageType",
    "encode_error",
    "encode_frame",
    "frame_to_list",
    "nested_deeper_than",
    "new_message_id",
    "parse_frame",
    "to_json",
    "to_json_native",
]

# Part 4 §4.1.4: message ids are string[36] (room for a UUID).
MAX_MESSAGE_ID_LENGTH = 36
# Part 4 §4.2.3: a CALLERROR for a message whose id cannot be read carries "-1".
UNKNOWN_MESSAGE_ID = "-1"
# Deepest nesting accepted in a payload. The deepest OCPP message (a 2.0.1 charging profile
# with a sales tariff) nests about 12 levels; the rest is room for vendors' customData. It
# also keeps every later step (fingerprint, schema check, storage) far from recursion limits.
MAX_PAYLOAD_DEPTH = 64


class FrameError(OcppError):
    """A frame that could not be parsed. `message_type` tells whether it may be answered."""

    def __init__(
        self,
        kind: ErrorKind,
        description: str,
        *,
        message_id: str | None = None,
        message_type: int | None = None,
    ) -> None:
        super().__init__(kind, description, message_id=message_id)
        self.message_type = message_type


def new_message_id() -> str:
    """A fresh, unique message id (a UUID4: 36 characters, the OCPP-J maximum)."""
    return str(uuid.uuid4())


def parse_frame(
    text: str | bytes,
    version: OcppVersion,
    *,
    max_message_id_length: int | None = MAX_MESSAGE_ID_LENGTH,
) -> Frame:
    """Parse one websocket text frame; raises FrameError (an OcppError) if malformed. The
    error carries the message id and type when known: the caller decides how to answer."""
    del version  # framing is identical in 1.6 and 2.0.1; kept for the adapters' symmetry
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise FrameError(ErrorKind.RPC_FRAMEWORK, "Message is not valid JSON") from None
    if not isinstance(message, list) or not message:
        raise FrameError(ErrorKind.RPC_FRAMEWORK, "Message is not a non-empty JSON array")
    message_type = message[0]
    if not isinstance(message_type, int) or isinstance(message_type, bool):
        message_type = None
    message_id = _read_message_id(message, max_message_id_length, message_type)
    if message_type is None:
        raise FrameError(
            ErrorKind.RPC_FRAMEWORK, "MessageTypeId is not an integer", message_id=message_id
        )
    # Nesting deeper than the limit needs more openers than the limit: count them first (fast)
    # and walk the structure only when that is possible.
    deep = _openers(text) > MAX_PAYLOAD_DEPTH
    if message_type == MessageType.CALL:
        return _parse_call(message, message_id, deep)
    if message_type == MessageType.CALLRESULT:
        return _parse_call_result(message, message_id, deep)
    if message_type == MessageType.CALLERROR:
        return _parse_call_error(message, message_id)
    raise FrameError(
        ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED,
        f"MessageTypeId {message_type} is not supported",
        message_id=message_id,
        message_type=message_type,
    )


def _read_message_id(message: list[Any], max_length: int | None, message_type: int | None) -> str:
    message_id = message[1] if len(message) > 1 else None
    if not isinstance(message_id, str) or not message_id:
        raise FrameError(
            ErrorKind.RPC_FRAMEWORK, "MessageId could not be read", message_type=message_type
        )
    if max_length is not None and len(message_id) > max_length:
        # Readable, so echo it: the sender can still correlate the error.
        raise FrameError(
            ErrorKind.RPC_FRAMEWORK,
            f"MessageId is longer than {max_length} characters",
            message_id=message_id,
            message_type=message_type,
        )
    return message_id


def _read_payload(
    value: Any, message_id: str, message_type: MessageType, deep: bool
) -> dict[str, Any]:
    # Part 4 §4.1.5: null is an accepted (if discouraged) notation for an empty payload.
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FrameError(
            ErrorKind.FORMAT,
            "Payload is not a JSON object",
            message_id=message_id,
            message_type=message_type,
        )
    if deep and nested_deeper_than(value, MAX_PAYLOAD_DEPTH):
        raise FrameError(
            ErrorKind.FORMAT,
            f"Payload is nested deeper than {MAX_PAYLOAD_DEPTH} levels",
            message_id=message_id,
            message_type=message_type,
        )
    return value


def _openers(text: str | bytes) -> int:
    if isinstance(text, str):
        return text.count("{") + text.count("[")
    return text.count(b"{") + text.count(b"[")


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether objects/arrays in ``value`` nest more than ``limit`` levels (``{}`` is 1).

    Iterative, and stops at the first level past the limit: bounded work on hostile input.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def _parse_call(message: list[Any], message_id: str, deep: bool) -> Call:
    if len(message) != 4:
        raise FrameError(
            ErrorKind.RPC_FRAMEWORK,
            f"A CALL has 4 elements, got {len(message)}",
            message_id=message_id,
            message_type=MessageType.CALL,
        )
    action = message[2]
    if not isinstance(action, str) or not action:
        raise FrameError(
            ErrorKind.RPC_FRAMEWORK,
            "Action is not a non-empty string",
            message_id=message_id,
            message_type=MessageType.CALL,
        )
    return Call(message_id, action, _read_payload(message[3], message_id, MessageType.CALL, deep))


def _parse_call_result(message: list[Any], message_id: str, deep: bool) -> CallResult:
    if len(message) != 3:
        raise FrameError(
            ErrorKind.RPC_FRAMEWORK,
            f"A CALLRESULT has 3 elements, got {len(message)}",
            message_id=message_id,
            message_type=MessageType.CALLRESULT,
        )
    payload = _read_payload(message[2], message_id, MessageType.CALLRESULT, deep)
    return CallResult(message_id, payload)


def _parse_call_error(message: list[Any], message_id: str) -> CallError:
    # Lenient: the description and details are informative only, so tolerate their absence.
    if not 3 <= len(message) <= 5 or not isinstance(message[2], str):
        raise FrameError(
            ErrorKind.RPC_FRAMEWORK,
            "A CALLERROR has 5 elements and a string errorCode",
            message_id=message_id,
            message_type=MessageType.CALLERROR,
        )
    description = message[3] if len(message) > 3 else ""
    details = message[4] if len(message) > 4 else {}
    if isinstance(details, dict | list) and nested_deeper_than(details, MAX_PAYLOAD_DEPTH):
        details = {}  # informative only: not worth keeping a hostile structure for
    return CallError(
        message_id,
        message[2],
        description if isinstance(description, str) else str(description),
        details if isinstance(details, dict) else {"value": details},
    )


def frame_to_list(frame: Frame) -> list[Any]:
    """The JSON array for a frame, before serialisation."""
    if isinstance(frame, Call):
        return [MessageType.CALL.value, frame.message_id, frame.action, frame.payload]
    if isinstance(frame, CallResult):
        return [MessageType.CALLRESULT.value, frame.message_id, frame.payload]
    return [
        MessageType.CALLERROR.value,
        frame.message_id,
        frame.code,
        frame.description,
        frame.details,
    ]


def encode_frame(frame: Frame) -> str:
    """Serialise a frame to compact JSON; datetimes become OCPP timestamps."""
    return to_json(frame_to_list(frame))


def encode_error(message_id: str, error: OcppError, version: OcppVersion) -> str:
    """A CALLERROR frame for `error`, with the exact code `version` uses for its kind."""
    code = error_code(error.kind, version)
    try:
        return encode_frame(CallError(message_id, code, error.description, error.details))
    except TypeError:  # unserialisable details (e.g. from a handler): drop them, keep the code
        return encode_frame(CallError(message_id, code, error.description, {}))


def to_json(value: Any) -> str:
    """Compact JSON with datetimes rendered by format_timestamp (UTC, ≤ ms, 'Z')."""
    return orjson.dumps(
        value, default=_encode_extra, option=orjson.OPT_PASSTHROUGH_DATETIME
    ).decode()


def to_json_native(payload: dict[str, Any]) -> dict[str, Any]:
    """`payload` exactly as it will appear on the wire (datetimes, enums, dataclasses
    converted), so what we validate is what we send. Raises TypeError if unserialisable."""
    native = orjson.loads(
        orjson.dumps(payload, default=_encode_extra, option=orjson.OPT_PASSTHROUGH_DATETIME)
    )
    if not isinstance(native, dict):
        raise TypeError("payload is not a JSON object")
    return native


def _encode_extra(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_timestamp(value)
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")
