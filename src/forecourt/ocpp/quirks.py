"""Vendor quirks as data: lenient handling of known non-compliant station models.

A connection looks its quirks up once (by the vendor and model the station reported, e.g.
in BootNotification) and hands them to the protocol edge. Nothing outside this table and
the code that reads its flags may special-case a vendor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

ANY_MODEL = "*"


@dataclass(frozen=True, slots=True)
class Quirks:
    """Deviations from OCPP-J we tolerate for one station model. Defaults are strict."""

    # Gateway: accept a handshake without Sec-WebSocket-Protocol (the station speaks 1.6).
    allow_missing_subprotocol: bool = False
    # Validation: ignore properties the schema does not define instead of FormatViolation.
    lenient_additional_properties: bool = False
    # Validation: accept enum values in the wrong case and rewrite them to the canonical
    # spelling before the handler sees them (e.g. "accepted" -> "Accepted").
    tolerate_lowercase_enums: bool = False
    # Framing: accept message ids longer than the 36 characters OCPP-J allows.
    lenient_message_id_length: bool = False
    # Session: outbound CALL timeout in seconds for slow firmware (None: session default).
    call_timeout: float | None = None
    # Configuration: keys the model reports but refuses to change (its ChangeConfiguration /
    # SetVariables answers Rejected whatever the value): drift on them is shown, never corrected.
    fixed_keys: frozenset[str] = frozenset()
    # Why the entry exists (firmware version, ticket): shown to operators, not interpreted.
    reason: str = ""


NO_QUIRKS = Quirks()

# Keys are (vendor, model) as the station reports them, compared case-insensitively;
# model "*" matches every model of that vendor, and an exact model entry wins over it.
QUIRKS: dict[tuple[str, str], Quirks] = {
    # Example entry, and a real one: the simulator's deliberately sloppy station model,
    # used by the conformance suite to exercise every lenient path end to end.
    ("Forecourt", "Simulator-Lenient"): Quirks(
        allow_missing_subprotocol=True,
        lenient_additional_properties=True,
        tolerate_lowercase_enums=True,
        lenient_message_id_length=True,
        call_timeout=60.0,
        reason="forecourt simulator model that exercises every quirk",
    ),
    # Every simulator model: what its configuration refuses to change (configuration drift
    # shows a difference on these keys but never tries to correct it).
    ("Forecourt", ANY_MODEL): Quirks(
        fixed_keys=frozenset(
            {"SupportedFeatureProfiles", "ChargingStation.Model", "ChargingStation.VendorName"}
        ),
        reason="the simulator's read-only configuration keys",
    ),
}


def quirks_for(
    vendor: str | None,
    model: str | None,
    table: Mapping[tuple[str, str], Quirks] | None = None,
) -> Quirks:
    """The quirks for a station model; strict defaults when it is unknown."""
    if not vendor:
        return NO_QUIRKS
    wanted_vendor = _normalise(vendor)
    wanted_model = _normalise(model or "")
    vendor_wide = NO_QUIRKS
    for (entry_vendor, entry_model), quirks in (QUIRKS if table is None else table).items():
        if _normalise(entry_vendor) != wanted_vendor:
            continue
        if _normalise(entry_model) == wanted_model:
            return quirks
        if entry_model == ANY_MODEL:
            vendor_wide = quirks
    return vendor_wide


def _normalise(name: str) -> str:
    return name.strip().casefold()
