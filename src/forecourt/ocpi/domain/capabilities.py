"""Per-station EVSE capabilities (mod_locations Capability): from what we know of each station,
never a fixed list.

What a station can do that OCPP does not tell us on its own is recorded per station
(``StationFeatures``: the operator says so, and a station answering a reservation with
NotSupported says so too); payment terminals registered by a PTP add card payment where
they serve.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from forecourt.ocpi.domain.locations import Capability


@dataclass(frozen=True, slots=True)
class StationFeatures:
    """What we know a station supports beyond OCPP's core profile."""

    station_id: str
    reservable: bool = False  # 1.6 Reservation profile / 2.0.1 ReservationCtrlr
    card_reader: bool = False  # a payment card reader at the dispenser
    plug_and_charge: bool = False  # ISO 15118-2 contract certificates enabled
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Known:
    """Everything a capability list is computed from, for one EVSE."""

    features: StationFeatures
    terminal: bool  # an active payment terminal serves the EVSE or its location
    cards_at_dispenser: bool  # OCPP 2.1 direct payments (C18) with the payments slice
    pnc_available: bool  # the plug_and_charge feature runs (contract certificates checked)


#: What every OCPP station we manage can do through our remote control.
ALWAYS = (
    Capability.REMOTE_START_STOP_CAPABLE,
    Capability.UNLOCK_CAPABLE,
    Capability.CHARGING_PROFILE_CAPABLE,
    Capability.RFID_READER,
)


def capabilities(known: Known) -> tuple[Capability, ...]:
    found = list(ALWAYS)
    if known.features.reservable:
        found.append(Capability.RESERVABLE)
    if known.terminal or known.features.card_reader or known.cards_at_dispenser:
        found += [Capability.CREDIT_CARD_PAYABLE, Capability.CONTACTLESS_CARD_SUPPORT]
    if known.features.plug_and_charge and known.pnc_available:
        found.append(Capability.ISO_15118_2_PLUG_AND_CHARGE)
    return tuple(sorted(set(found), key=lambda c: c.value))
