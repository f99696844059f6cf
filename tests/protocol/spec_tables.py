"""The CALLERROR code tables as the specs print them, independent of forecourt.ocpp.errors.

OCPP-J 1.6 §4.2.3 Table 7 (typos kept per the errata) and OCPP 2.0.1 Part 4 §4.3 Table 8.
"""

from __future__ import annotations

from forecourt.ocpp.versions import OcppVersion

OCPP16_TABLE_7 = {
    "NotImplemented",
    "NotSupported",
    "InternalError",
    "ProtocolError",
    "SecurityError",
    "FormationViolation",
    "PropertyConstraintViolation",
    "OccurenceConstraintViolation",
    "TypeConstraintViolation",
    "GenericError",
}
OCPP201_TABLE_8 = {
    "FormatViolation",
    "GenericError",
    "InternalError",
    "MessageTypeNotSupported",
    "NotImplemented",
    "NotSupported",
    "OccurrenceConstraintViolation",
    "PropertyConstraintViolation",
    "ProtocolError",
    "RpcFrameworkError",
    "SecurityError",
    "TypeConstraintViolation",
}

# OCPP 2.1 Part 4 §4.3 keeps the 2.0.1 RPC error codes unchanged.
OCPP21_TABLE = OCPP201_TABLE_8

SPEC_TABLES = {
    OcppVersion.V16: OCPP16_TABLE_7,
    OcppVersion.V201: OCPP201_TABLE_8,
    OcppVersion.V21: OCPP21_TABLE,
}
