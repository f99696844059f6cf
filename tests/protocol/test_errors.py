"""The CALLERROR code table: total, exact, and the reverse lookup for inbound codes."""

from __future__ import annotations

import itertools

import pytest

from forecourt.ocpp.errors import ErrorKind, OcppError, error_code, error_kind
from forecourt.ocpp.versions import OcppVersion

from .spec_tables import SPEC_TABLES


@pytest.mark.parametrize(
    ("kind", "version"),
    list(itertools.product(ErrorKind, OcppVersion)),
    ids=lambda value: value.name if isinstance(value, ErrorKind) else value.value,
)
def test_every_kind_has_a_code_from_the_versions_spec_table(
    kind: ErrorKind, version: OcppVersion
) -> None:
    assert error_code(kind, version) in SPEC_TABLES[version]


@pytest.mark.parametrize("version", list(OcppVersion), ids=lambda version: version.value)
def test_the_table_reaches_every_code_of_the_version(version: OcppVersion) -> None:
    assert {error_code(kind, version) for kind in ErrorKind} == SPEC_TABLES[version]


@pytest.mark.parametrize(
    ("kind", "v16", "v201"),
    [
        (ErrorKind.NOT_IMPLEMENTED, "NotImplemented", "NotImplemented"),
        (ErrorKind.NOT_SUPPORTED, "NotSupported", "NotSupported"),
        (ErrorKind.INTERNAL, "InternalError", "InternalError"),
        (ErrorKind.PROTOCOL, "ProtocolError", "ProtocolError"),
        (ErrorKind.SECURITY, "SecurityError", "SecurityError"),
        (ErrorKind.FORMAT, "FormationViolation", "FormatViolation"),
        (
            ErrorKind.PROPERTY_CONSTRAINT,
            "PropertyConstraintViolation",
            "PropertyConstraintViolation",
        ),
        (
            ErrorKind.OCCURRENCE_CONSTRAINT,
            "OccurenceConstraintViolation",
            "OccurrenceConstraintViolation",
        ),
        (ErrorKind.TYPE_CONSTRAINT, "TypeConstraintViolation", "TypeConstraintViolation"),
        (ErrorKind.GENERIC, "GenericError", "GenericError"),
        (ErrorKind.RPC_FRAMEWORK, "FormationViolation", "RpcFrameworkError"),
        (ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED, "GenericError", "MessageTypeNotSupported"),
    ],
)
def test_exact_wire_strings(kind: ErrorKind, v16: str, v201: str) -> None:
    assert error_code(kind, OcppVersion.V16) == v16
    assert error_code(kind, OcppVersion.V201) == v201


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("FormationViolation", ErrorKind.FORMAT),
        ("FormatViolation", ErrorKind.FORMAT),
        ("OccurenceConstraintViolation", ErrorKind.OCCURRENCE_CONSTRAINT),
        ("OccurrenceConstraintViolation", ErrorKind.OCCURRENCE_CONSTRAINT),
        ("RpcFrameworkError", ErrorKind.RPC_FRAMEWORK),
        ("MessageTypeNotSupported", ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED),
        ("GenericError", ErrorKind.GENERIC),
        ("NotSupported", ErrorKind.NOT_SUPPORTED),
        ("SomethingVendorSpecific", None),
    ],
)
def test_inbound_codes_are_read_in_either_spelling(code: str, kind: ErrorKind | None) -> None:
    assert error_kind(code) is kind


def test_descriptions_are_cut_to_the_255_characters_ocpp_allows() -> None:
    error = OcppError(ErrorKind.GENERIC, "x" * 1000, {"a": 1}, message_id="m")
    assert len(error.description) == 255
    assert (error.details, error.message_id) == ({"a": 1}, "m")
    assert "GENERIC" in repr(error)
