"""The ChargeX Minimum Required Error Codes (MRECs, CX001…CX026), as a pure table.

ChargeX (the US DOE national-lab consortium, published by Idaho National Laboratory) defines
a minimum set of error codes every networked charger should report in the same words, over
OCPP 1.6 (``StatusNotification.vendorErrorCode`` "CXnnn" with ``vendorId`` :data:`VENDOR_ID`)
and 2.0.1/2.1 (``NotifyEvent`` ``techCode`` "CXnnn", ``cleared`` ending it).

Each code is mapped to a category of ours, which sets the severity of the fault it raises.
``source`` says where the name and meaning come from: the INL table for the codes whose
descriptions were in reach, the open-source EVerest charger stack's MREC mapping (the same
names and codes, as a charger sends them) for the names of the others; five numbers whose
name and meaning could not be confirmed from either are recognised as ChargeX codes and shown
as "unconfirmed" rather than guessed (docs/reliability.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from forecourt.reliability.domain.model import Severity

#: The ``vendorId`` ChargeX asks 1.6 chargers to send with a CX ``vendorErrorCode``.
VENDOR_ID = "https://chargex.inl.gov"

INL_TABLE = "https://inl.gov/chargex/mrec/"
INL_CX006 = "https://inl.gov/kb/mrecs/cx006-undervoltage/"
EVEREST = "EVerest everest-core, OCPP MREC error mapping (CHARGE_X_MREC_VENDOR_ID)"

_CODE = re.compile(r"^CX\d{3}$")


class ChargeXCategory(StrEnum):
    """Our fault category for a code: what kind of repair it points to."""

    CONNECTOR = "connector"  # plug, latch, cable, pins: a connector repair
    SAFETY = "safety"  # a protection tripped: ground fault, isolation, emergency stop
    THERMAL = "thermal"  # too hot: derating or stopping
    POWER = "power"  # power electronics, contactors, output voltage
    GRID = "grid"  # the supply (utility) side
    VEHICLE = "vehicle"  # the car's side of the conversation
    AUTHORIZATION = "authorization"  # nobody authorised the plugged-in car in time
    UNCONFIRMED = "unconfirmed"  # a ChargeX number whose meaning we could not confirm


#: How bad a code is for the driver, by category.
CATEGORY_SEVERITY: dict[ChargeXCategory, Severity] = {
    ChargeXCategory.CONNECTOR: Severity.CRITICAL,
    ChargeXCategory.SAFETY: Severity.CRITICAL,
    ChargeXCategory.THERMAL: Severity.MAJOR,
    ChargeXCategory.POWER: Severity.CRITICAL,
    ChargeXCategory.GRID: Severity.MAJOR,
    ChargeXCategory.VEHICLE: Severity.MINOR,
    ChargeXCategory.AUTHORIZATION: Severity.MINOR,
    ChargeXCategory.UNCONFIRMED: Severity.MAJOR,
}


@dataclass(frozen=True, slots=True)
class ChargeXCode:
    code: str  # CX001
    name: str  # ConnectorLockFailure ("" when unconfirmed)
    meaning: str
    category: ChargeXCategory
    source: str

    @property
    def severity(self) -> Severity:
        return CATEGORY_SEVERITY[self.category]

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "name": self.name,
            "meaning": self.meaning,
            "category": self.category.value,
            "severity": self.severity.value,
            "source": self.source,
        }


def _c(code: str, name: str, meaning: str, category: ChargeXCategory, source: str) -> ChargeXCode:
    return ChargeXCode(code, name, meaning, category, source)


_UNCONFIRMED = "A ChargeX code whose name and meaning were not in the sources at hand."
C = ChargeXCategory
CODES: dict[str, ChargeXCode] = {
    c.code: c
    for c in (
        _c(
            "CX001",
            "ConnectorLockFailure",
            "Failure to lock or unlock the connector on the vehicle side.",
            C.CONNECTOR,
            INL_TABLE,
        ),
        _c(
            "CX002",
            "GroundFailure",
            "The ground fault circuit interrupter has been activated.",
            C.SAFETY,
            INL_TABLE,
        ),
        _c(
            "CX003",
            "HighTemperature",
            "High temperature inside the EVSE is derating power delivery.",
            C.THERMAL,
            INL_TABLE,
        ),
        _c(
            "CX004",
            "OverCurrentFailure",
            "An over-current protection device has tripped.",
            C.SAFETY,
            INL_TABLE,
        ),
        _c(
            "CX005",
            "OverVoltage",
            "Input voltage to the vehicle has risen above an acceptable level.",
            C.POWER,
            INL_TABLE,
        ),
        _c(
            "CX006",
            "UnderVoltage",
            "Input voltage to the vehicle dropped below an acceptable level (EVSE or EV).",
            C.POWER,
            INL_CX006,
        ),
        _c("CX007", "", _UNCONFIRMED, C.UNCONFIRMED, INL_TABLE),
        _c(
            "CX008",
            "EmergencyStop",
            "The charger's emergency stop was activated.",
            C.SAFETY,
            EVEREST,
        ),
        _c(
            "CX009",
            "AuthorizationTimeout",
            "A vehicle was plugged in but no authorization arrived in time.",
            C.AUTHORIZATION,
            EVEREST,
        ),
        _c(
            "CX010",
            "InvalidVehicleMode",
            "The vehicle signalled a mode (pilot state) the charger cannot charge in.",
            C.VEHICLE,
            EVEREST,
        ),
        _c(
            "CX011",
            "CableCheckFault",
            "The DC cable check (insulation test before energising) failed.",
            C.SAFETY,
            EVEREST,
        ),
        _c("CX012", "", _UNCONFIRMED, C.UNCONFIRMED, INL_TABLE),
        _c("CX013", "", _UNCONFIRMED, C.UNCONFIRMED, INL_TABLE),
        _c(
            "CX014",
            "PilotFault",
            "A control pilot fault between charger and vehicle.",
            C.CONNECTOR,
            EVEREST,
        ),
        _c("CX015", "PowerLoss", "The charger lost its input (grid) power.", C.GRID, EVEREST),
        _c("CX016", "", _UNCONFIRMED, C.UNCONFIRMED, INL_TABLE),
        _c(
            "CX017",
            "EVSEContactorFault",
            "A contactor of the EVSE failed to open or close.",
            C.POWER,
            EVEREST,
        ),
        _c(
            "CX018",
            "CableOverTempDerate",
            "The charging cable is too hot: power is derated.",
            C.THERMAL,
            EVEREST,
        ),
        _c(
            "CX019",
            "CableOverTempStop",
            "The charging cable is too hot: charging stopped.",
            C.THERMAL,
            EVEREST,
        ),
        _c(
            "CX020",
            "PartialInsertion",
            "The connector is only partly inserted in the vehicle inlet.",
            C.CONNECTOR,
            EVEREST,
        ),
        _c("CX021", "", _UNCONFIRMED, C.UNCONFIRMED, INL_TABLE),
        _c(
            "CX022",
            "ResistanceFault",
            "Isolation resistance below its threshold during DC charging.",
            C.SAFETY,
            EVEREST,
        ),
        _c(
            "CX023",
            "ProximityFault",
            "A fault on the connector's proximity circuit.",
            C.CONNECTOR,
            EVEREST,
        ),
        _c(
            "CX024",
            "ConnectorVoltageHigh",
            "Voltage on the connector above the safe limit while not charging.",
            C.SAFETY,
            EVEREST,
        ),
        _c("CX025", "BrokenLatch", "The connector's latch is broken.", C.CONNECTOR, EVEREST),
        _c("CX026", "CutCable", "The charging cable is cut.", C.CONNECTOR, EVEREST),
    )
}


def lookup(code: str) -> ChargeXCode | None:
    """The entry of a "CXnnn" code (case and spaces forgiven); None for anything else."""
    text = code.strip().upper()
    return CODES.get(text) if _CODE.match(text) else None


def is_chargex_vendor(vendor_id: str) -> bool:
    """Whether a 1.6 ``vendorId`` is ChargeX's (scheme, case and a trailing slash forgiven)."""
    text = vendor_id.strip().lower().rstrip("/")
    return text.removeprefix("https://").removeprefix("http://") == "chargex.inl.gov"


def codes_in(text: str) -> list[ChargeXCode]:
    """The ChargeX codes in a vendor error code field (several may be comma-separated)."""
    found = (lookup(part) for part in text.split(","))
    return [c for c in found if c is not None]
