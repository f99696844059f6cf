"""The three OCPP-J frames as values (OCPP-J 1.6 §4, OCPP 2.0.1 Part 4 §4).

Plain data with no imports from the rest of ``forecourt.ocpp``, so both the error types
(which carry a received CALLERROR) and the framing code (``rpc``) can use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any


class MessageType(IntEnum):
    """MessageTypeId, the first element of every OCPP-J frame."""

    CALL = 2
    CALLRESULT = 3
    CALLERROR = 4


KNOWN_MESSAGE_TYPES = frozenset(message_type.value for message_type in MessageType)


@dataclass(frozen=True, slots=True)
class Call:
    message_id: str
    action: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CallResult:
    message_id: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CallError:
    message_id: str
    code: str
    description: str
    details: dict[str, Any]


Frame = Call | CallResult | CallError
