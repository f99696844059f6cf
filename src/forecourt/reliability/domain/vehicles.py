"""Which car it was: vehicle identification for the vehicle × station matrix, with confidence.

A session's identifier says more than who pays:

* **Plug & Charge**: the token is the contract certificate's eMAID (ISO 15118; the subject of
  the contract certificate). Its provider part (``US-TSL-…`` → ``USTSL``) names the
  e-mobility provider that issued it, often the car maker's own service.
* **EVCCID / MAC**: Autocharge sends the car's MAC address as the 1.6 idTag ``VID:<12 hex>``;
  2.0.1 carries it as a ``MacAddress`` idToken (the EVCCID of ISO 15118-2). Its first three
  bytes (the OUI) name the maker of the car's charge controller.
* **The driver's "my car" choice** for their card or account.
* **What the transaction already carries** (``Transaction.vehicle``, set by whatever
  identified the car).

None of these carries a model by itself: an operator (or the driver) maps an OUI, an eMAID
provider or a token to a vehicle (free text, e.g. "Kia EV6 2023"). Each source has a
confidence — a driver's own word above a provider, a provider above a chip maker's OUI (one
controller supplier serves several makes) — and the most confident one wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class VehicleSource(StrEnum):
    REPORTED = "reported"  # Transaction.vehicle
    DRIVER_CHOICE = "driver_choice"  # the driver said "my car is ..." for this token
    EMAID_PROVIDER = "emaid_provider"  # Plug & Charge contract: the eMAID's provider id
    OUI = "oui"  # EVCCID / MAC address: the first three bytes


CONFIDENCE: Mapping[VehicleSource, float] = {
    VehicleSource.REPORTED: 0.95,
    VehicleSource.DRIVER_CHOICE: 0.9,
    VehicleSource.EMAID_PROVIDER: 0.7,
    VehicleSource.OUI: 0.5,
}

#: Rule kinds an operator or driver sets (``reported`` is never a rule).
RULE_KINDS = (VehicleSource.DRIVER_CHOICE, VehicleSource.EMAID_PROVIDER, VehicleSource.OUI)

_MAC = re.compile(r"^[0-9A-F]{12}$")
_EMAID = re.compile(r"^([A-Z]{2})-?([A-Z0-9]{3})-?[A-Z0-9]{9}(-?[A-Z0-9])?$")


@dataclass(frozen=True, slots=True)
class VehicleId:
    vehicle: str
    source: VehicleSource
    confidence: float


@dataclass(frozen=True, slots=True)
class VehicleRule:
    kind: VehicleSource
    key: str  # normalised: a token as sent, "USTSL", "AABBCC"
    vehicle: str
    created_by: str = ""


def mac_of(token: str) -> str | None:
    """The 12 hex digits of a MAC address token (``VID:…`` Autocharge, or a bare MAC with or
    without ``:``/``-`` separators), upper case; None when the token is not one."""
    text = token.strip().upper().removeprefix("VID:")
    digits = text.replace(":", "").replace("-", "")
    return digits if _MAC.match(digits) else None


def emaid_provider(token: str) -> str | None:
    """The country + provider id of an eMAID (``US-TSL-C12345678-9`` → ``USTSL``)."""
    match = _EMAID.match(token.strip().upper())
    return None if match is None else match.group(1) + match.group(2)


def normalise_key(kind: VehicleSource, key: str) -> str:
    """The form a rule is stored and matched in; ValueError when the key cannot be one."""
    text = key.strip()
    if kind is VehicleSource.OUI:
        digits = text.upper().replace(":", "").replace("-", "")
        if not re.fullmatch(r"[0-9A-F]{6}", digits):
            raise ValueError(f"an OUI is three bytes, e.g. AA:BB:CC, not {key!r}")
        return digits
    if kind is VehicleSource.EMAID_PROVIDER:
        code = text.upper().replace("-", "").replace("*", "")
        if not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{3}", code):
            raise ValueError(
                f"an eMAID provider is country + 3 characters, e.g. US-TSL, not {key!r}"
            )
        return code
    if kind is VehicleSource.DRIVER_CHOICE:
        if not text:
            raise ValueError("the driver's token is empty")
        return text
    raise ValueError(f"{kind.value} is not a rule kind")


@dataclass(frozen=True, slots=True)
class VehicleRules:
    """Rules by kind, then key (as :func:`normalise_key` makes it)."""

    by_kind: Mapping[VehicleSource, Mapping[str, str]]

    @classmethod
    def of(cls, rules: list[VehicleRule]) -> VehicleRules:
        by_kind: dict[VehicleSource, dict[str, str]] = {}
        for rule in rules:
            by_kind.setdefault(rule.kind, {})[rule.key] = rule.vehicle
        return cls(by_kind)

    def get(self, kind: VehicleSource, key: str | None) -> str | None:
        return None if key is None else self.by_kind.get(kind, {}).get(key)


def identify(token: str | None, reported: str | None, rules: VehicleRules) -> VehicleId | None:
    """The most confident identification of the car behind one session, or None."""
    found: list[VehicleId] = []
    if reported:
        found.append(_id(reported, VehicleSource.REPORTED))
    if token:
        candidates = (
            (VehicleSource.DRIVER_CHOICE, token.strip()),
            (VehicleSource.EMAID_PROVIDER, emaid_provider(token)),
            (VehicleSource.OUI, (mac_of(token) or "")[:6] or None),
        )
        for kind, key in candidates:
            vehicle = rules.get(kind, key)
            if vehicle:
                found.append(_id(vehicle, kind))
    return max(found, key=lambda v: v.confidence, default=None)


def _id(vehicle: str, source: VehicleSource) -> VehicleId:
    return VehicleId(vehicle, source, CONFIDENCE[source])
