"""The vendor quirk table is data, looked up by (vendor, model)."""

from __future__ import annotations

from forecourt.ocpp.quirks import NO_QUIRKS, QUIRKS, Quirks, quirks_for

TABLE = {
    ("ACME", "*"): Quirks(tolerate_lowercase_enums=True, reason="all ACME firmware"),
    ("ACME", "Fast-150"): Quirks(lenient_additional_properties=True, reason="fw 1.2"),
}


def test_unknown_or_missing_station_gets_strict_defaults() -> None:
    assert quirks_for(None, None) is NO_QUIRKS
    assert quirks_for("Nobody", "Nothing", TABLE) is NO_QUIRKS
    assert Quirks() == NO_QUIRKS
    assert not any((NO_QUIRKS.allow_missing_subprotocol, NO_QUIRKS.lenient_additional_properties))


def test_lookup_is_case_insensitive_and_exact_model_wins_over_wildcard() -> None:
    assert quirks_for(" acme ", "FAST-150", TABLE) is TABLE[("ACME", "Fast-150")]
    assert quirks_for("Acme", "Slow-7", TABLE) is TABLE[("ACME", "*")]
    assert quirks_for("ACME", None, TABLE) is TABLE[("ACME", "*")]


def test_the_shipped_table_has_a_documented_example_entry() -> None:
    example = quirks_for("forecourt", "simulator-lenient")
    assert example is QUIRKS[("Forecourt", "Simulator-Lenient")]
    assert example.reason
    assert example.allow_missing_subprotocol
    assert example.tolerate_lowercase_enums
    hash(example)  # frozen: usable as a cache key
