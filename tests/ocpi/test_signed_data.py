"""CDR signed_data from a transaction's signed start and end readings: what a station did not
name, and what does not fit the object's fields (the end to end path is in
test_sessions_cdrs.py: a signing 2.0.1 station to the CDR at the spec eMSP)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from forecourt.domain.metering import SignedMeterValue
from forecourt.ocpi.ports import SessionFacts
from forecourt.ocpi.schemas.cdrs import UNNAMED_ENCODING, signed_data
from tests.ocpi import spec

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _facts(start: SignedMeterValue | None, end: SignedMeterValue | None) -> SessionFacts:
    session = cast(Any, None)  # signed_data reads only the signed readings
    return SessionFacts(session, NOW, NOW, 0.0, None, NOW, start, end)


def _wire(facts: SessionFacts) -> dict[str, Any] | None:
    found = signed_data(facts)
    return None if found is None else found.wire()


def test_no_signed_reading_no_signed_data() -> None:
    assert _wire(_facts(None, None)) is None


def test_a_1_6_reading_without_a_named_encoding_gets_the_documented_name() -> None:
    wire = _wire(_facts(None, SignedMeterValue("C0FFEE", plain_data="18000 Wh")))
    assert wire is not None
    assert wire["encoding_method"] == UNNAMED_ENCODING
    assert "public_key" not in wire
    assert wire["signed_values"] == [
        {"nature": "End", "plain_data": "18000 Wh", "signed_data": "C0FFEE"}
    ]


def test_what_does_not_fit_is_left_out_and_the_cdr_still_validates() -> None:
    too_long = SignedMeterValue("X" * 5001, "OCMF")
    key_too_long = SignedMeterValue("AB", "OCMF", public_key="K" * 513, plain_data="1 Wh")
    wire = _wire(_facts(too_long, key_too_long))
    assert wire is not None
    assert [v["nature"] for v in wire["signed_values"]] == ["End"]
    assert "public_key" not in wire
    schema = spec.cdr("2.3.0")["properties"]["signed_data"]
    spec.check(schema, wire)
    assert _wire(_facts(too_long, None)) is None
