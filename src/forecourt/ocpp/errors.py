"""Version-neutral OCPP-J error kinds and their exact per-version CALLERROR codes.

The wire strings differ between OCPP-J 1.6 and OCPP 2.0.1 (spelling, and codes that only
2.0.1 has). Every decision and its source is recorded in docs/adr/0002-callerror-codes.md.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, ClassVar

from forecourt.ocpp.frames import CallError
from forecourt.ocpp.versions import OcppVersion

# OCPP 2.0.1 Part 4 §4.2.3: ErrorDescription is string[255].
MAX_DESCRIPTION_LENGTH = 255
# The spec's own wording for InternalError: exception text never goes to the station.
INTERNAL_ERROR_DESCRIPTION = (
    "An internal error occurred and the receiver was not able to process the requested "
    "Action successfully"
)


class ErrorKind(Enum):
    """What went wrong, independent of how a given OCPP version spells it."""

    NOT_IMPLEMENTED = "not_implemented"  # action not known by the receiver
    NOT_SUPPORTED = "not_supported"  # action known, but not supported
    INTERNAL = "internal"
    PROTOCOL = "protocol"
    SECURITY = "security"
    FORMAT = "format"
    PROPERTY_CONSTRAINT = "property_constraint"
    OCCURRENCE_CONSTRAINT = "occurrence_constraint"
    TYPE_CONSTRAINT = "type_constraint"
    GENERIC = "generic"
    RPC_FRAMEWORK = "rpc_framework"
    MESSAGE_TYPE_NOT_SUPPORTED = "message_type_not_supported"


class OcppError(Exception):
    """An error that is answered with a CALLERROR (raise it from handlers too)."""

    def __init__(
        self,
        kind: ErrorKind,
        description: str = "",
        details: dict[str, Any] | None = None,
        message_id: str | None = None,
    ) -> None:
        super().__init__(f"{kind.name}: {description}" if description else kind.name)
        self.kind = kind
        self.description = description[:MAX_DESCRIPTION_LENGTH]
        self.details: dict[str, Any] = dict(details) if details else {}
        self.message_id = message_id

    def __repr__(self) -> str:
        return (
            f"OcppError(kind={self.kind.name}, description={self.description!r}, "
            f"message_id={self.message_id!r})"
        )


# OCPP-J 1.6 §4.2.3 Table 7 (typos kept, errata §5.1/§5.2 "will not be fixed").
_V16_CODES: dict[ErrorKind, str] = {
    ErrorKind.NOT_IMPLEMENTED: "NotImplemented",
    ErrorKind.NOT_SUPPORTED: "NotSupported",
    ErrorKind.INTERNAL: "InternalError",
    ErrorKind.PROTOCOL: "ProtocolError",
    ErrorKind.SECURITY: "SecurityError",
    ErrorKind.FORMAT: "FormationViolation",
    ErrorKind.PROPERTY_CONSTRAINT: "PropertyConstraintViolation",
    ErrorKind.OCCURRENCE_CONSTRAINT: "OccurenceConstraintViolation",
    ErrorKind.TYPE_CONSTRAINT: "TypeConstraintViolation",
    ErrorKind.GENERIC: "GenericError",
    # 1.6 has no RpcFrameworkError: an unreadable frame is "syntactically incorrect or
    # not conform the PDU structure", which is FormationViolation's definition.
    ErrorKind.RPC_FRAMEWORK: "FormationViolation",
    # 1.6 ignores unknown message types (§4.1.3), so this is never sent by the session;
    # GenericError is "any other error not covered by the previous ones".
    ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED: "GenericError",
}

# OCPP 2.0.1 Part 4 (Edition 3) §4.3 Table 8.
_V201_CODES: dict[ErrorKind, str] = {
    ErrorKind.NOT_IMPLEMENTED: "NotImplemented",
    ErrorKind.NOT_SUPPORTED: "NotSupported",
    ErrorKind.INTERNAL: "InternalError",
    ErrorKind.PROTOCOL: "ProtocolError",
    ErrorKind.SECURITY: "SecurityError",
    ErrorKind.FORMAT: "FormatViolation",
    ErrorKind.PROPERTY_CONSTRAINT: "PropertyConstraintViolation",
    ErrorKind.OCCURRENCE_CONSTRAINT: "OccurrenceConstraintViolation",
    ErrorKind.TYPE_CONSTRAINT: "TypeConstraintViolation",
    ErrorKind.GENERIC: "GenericError",
    ErrorKind.RPC_FRAMEWORK: "RpcFrameworkError",
    ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED: "MessageTypeNotSupported",
}

_CODES_BY_VERSION: dict[OcppVersion, dict[ErrorKind, str]] = {
    OcppVersion.V16: _V16_CODES,
    OcppVersion.V201: _V201_CODES,
    OcppVersion.V21: _V201_CODES,  # 2.1 Part 4 keeps the 2.0.1 table
}

# Inbound CALLERRORs: stations use either version's spelling, so accept both.
_KIND_BY_CODE: dict[str, ErrorKind] = {code: kind for kind, code in _V201_CODES.items()}
_KIND_BY_CODE["FormationViolation"] = ErrorKind.FORMAT
_KIND_BY_CODE["OccurenceConstraintViolation"] = ErrorKind.OCCURRENCE_CONSTRAINT


def error_code(kind: ErrorKind, version: OcppVersion) -> str:
    """The exact CALLERROR errorCode string for `kind` on `version`."""
    return _CODES_BY_VERSION[version][kind]


def error_kind(code: str) -> ErrorKind | None:
    """Best-effort kind of a CALLERROR code received from a station (None if unknown)."""
    return _KIND_BY_CODE.get(code)


# Raised by OcppSession.call (defined here to keep session.py small).


class OutboundCallError(Exception):
    """Base of everything `OcppSession.call` raises."""

    outcome: ClassVar[str] = "error"


class SessionClosed(OutboundCallError):
    outcome = "closed"


class CallTimeout(OutboundCallError):
    outcome = "timeout"

    def __init__(self, action: str, message_id: str, seconds: float) -> None:
        super().__init__(f"{action} ({message_id}) got no answer within {seconds:g}s")
        self.action, self.message_id, self.seconds = action, message_id, seconds


class CallFailed(OutboundCallError):
    """The station answered our CALL with a CALLERROR."""

    outcome = "callerror"

    def __init__(self, action: str, error: CallError) -> None:
        super().__init__(f"{action} failed: {error.code} {error.description!r:.200}")
        self.action, self.error = action, error

    @property
    def kind(self) -> ErrorKind | None:
        return error_kind(self.error.code)


class InvalidRequest(OutboundCallError):
    """Our own request failed its schema; it was not sent (a bug on our side)."""

    outcome = "invalid_request"

    def __init__(self, action: str, error: OcppError) -> None:
        super().__init__(f"{action} request is invalid: {error.description}")
        self.action, self.error = action, error


class InvalidResponse(OutboundCallError):
    """The station's CALLRESULT was malformed or failed the response schema."""

    outcome = "invalid_response"

    def __init__(self, action: str, message_id: str, error: OcppError) -> None:
        super().__init__(f"{action} ({message_id}) response is invalid: {error.description}")
        self.action, self.message_id, self.error = action, message_id, error
