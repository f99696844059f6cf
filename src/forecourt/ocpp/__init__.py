"""OCPP-J plumbing shared by every OCPP version: framing, sessions, validation, errors.

The per-version adapters (`forecourt.ocpp.v16`, `forecourt.ocpp.v201`) build on this API;
nothing here knows about business rules, storage or the web.
"""

from forecourt.ocpp.errors import ErrorKind, OcppError, error_code, error_kind
from forecourt.ocpp.quirks import NO_QUIRKS, QUIRKS, Quirks, quirks_for
from forecourt.ocpp.rpc import (
    Call,
    CallError,
    CallResult,
    Frame,
    FrameError,
    MessageType,
    encode_error,
    encode_frame,
    new_message_id,
    parse_frame,
)
from forecourt.ocpp.session import (
    CallFailed,
    CallTimeout,
    Handler,
    InvalidRequest,
    InvalidResponse,
    OcppSession,
    OutboundCallError,
    SessionClosed,
    SessionObserver,
    Transport,
)
from forecourt.ocpp.timestamps import format_timestamp, parse_timestamp
from forecourt.ocpp.validation import SchemaValidator, validator_for
from forecourt.ocpp.versions import OcppVersion

__all__ = [
    "NO_QUIRKS",
    "QUIRKS",
    "Call",
    "CallError",
    "CallFailed",
    "CallResult",
    "CallTimeout",
    "ErrorKind",
    "Frame",
    "FrameError",
    "Handler",
    "InvalidRequest",
    "InvalidResponse",
    "MessageType",
    "OcppError",
    "OcppSession",
    "OcppVersion",
    "OutboundCallError",
    "Quirks",
    "SchemaValidator",
    "SessionClosed",
    "SessionObserver",
    "Transport",
    "encode_error",
    "encode_frame",
    "error_code",
    "error_kind",
    "format_timestamp",
    "new_message_id",
    "parse_frame",
    "parse_timestamp",
    "quirks_for",
    "validator_for",
]
