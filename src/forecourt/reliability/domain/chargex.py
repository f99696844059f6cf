"""The ChargeX Minimum Required Error Codes (MRECs, CX001…CX026), as a pure table.

ChargeX (the US DOE national-lab consortium, published by Idaho National Laboratory) defines
a minimum set of error codes every networked charger should report in the same words, over
OCPP 1.6 (``StatusNotification.vendorErrorCode`` "CXnnn" with ``vendorId`` :data:`VENDOR_ID`)
and 2.0.1/2.1 (``NotifyEvent`` ``techCode`` "CXnnn", ``cleared`` ending it).

Each code is mapped to a category of ours, which sets the severity of the fault it raises.
``source`` says where the name and meaning come from (docs/reliability.md, "ChargeX error
codes"): INL's MREC page for CX001–CX006 (CX006 from its own page), and for CX007–CX026 the
ChargeX MREC report's table as transcribed, with the same vendorId, in the open-source kWwhat
OCPP analytics project; the codes a charger stack sends (EVerest's MREC mapping) agree with
it wherever both name a code. ``responsible`` is the report's responsibility classification:
who resolves the error.
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
#: ChargeX MREC report (Rev 5, 2023-09-12, inl.gov/content/uploads/2023/07/ChargeX_MREC_Rev5_
#: 09.12.23.pdf, cited by EVerest), its table transcribed in kWwhat's seeds/chargex_mrec_codes.csv.
MREC_REPORT = "ChargeX MREC report Rev 5 (table as transcribed in appspace/kwwhat)"

_CODE = re.compile(r"^CX\d{3}$")


class ChargeXCategory(StrEnum):
    """Our fault category for a code: what kind of repair it points to."""

    CONNECTOR = "connector"  # plug, latch, cable, pins: a connector repair
    SAFETY = "safety"  # a protection tripped: ground fault, isolation, emergency stop
    THERMAL = "thermal"  # too hot: derating or stopping
    POWER = "power"  # power electronics, contactors, output voltage
    GRID = "grid"  # the supply (utility) side
    COMMUNICATION = "communication"  # the charger's own network link (signal, internet)
    VEHICLE = "vehicle"  # the car's side of the conversation
    AUTHORIZATION = "authorization"  # nobody authorised the plugged-in car in time


#: How bad a code is for the driver, by category.
CATEGORY_SEVERITY: dict[ChargeXCategory, Severity] = {
    ChargeXCategory.CONNECTOR: Severity.CRITICAL,
    ChargeXCategory.SAFETY: Severity.CRITICAL,
    ChargeXCategory.THERMAL: Severity.MAJOR,
    ChargeXCategory.POWER: Severity.CRITICAL,
    ChargeXCategory.GRID: Severity.MAJOR,
    ChargeXCategory.COMMUNICATION: Severity.MAJOR,
    ChargeXCategory.VEHICLE: Severity.MINOR,
    ChargeXCategory.AUTHORIZATION: Severity.MINOR,
}

# The report's responsibility classes: who resolves the error.
USER, CSO, EVSE, EV = "EV user", "CSO", "EVSE", "EV"


@dataclass(frozen=True, slots=True)
class ChargeXCode:
    code: str  # CX001
    name: str  # ConnectorLockFailure
    meaning: str
    category: ChargeXCategory
    source: str
    responsible: tuple[str, ...] = ()

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
            "responsible": ", ".join(self.responsible),
            "source": self.source,
        }


C = ChargeXCategory
_TABLE: tuple[tuple[str, str, str, ChargeXCategory, str, tuple[str, ...]], ...] = (
    ("CX001", "ConnectorLockFailure",
     "Failure to lock or unlock the connector on the vehicle side.",
     C.CONNECTOR, INL_TABLE, (USER, EV)),
    ("CX002", "GroundFailure",
     "The ground fault circuit interrupter has been activated.",
     C.SAFETY, INL_TABLE, (EVSE, EV)),
    ("CX003", "HighTemperature",
     "High temperature inside the EVSE is derating power delivery.",
     C.THERMAL, INL_TABLE, (EVSE,)),
    ("CX004", "OverCurrentFailure",
     "An over-current protection device has tripped.",
     C.SAFETY, INL_TABLE, (EVSE, EV)),
    ("CX005", "OverVoltage",
     "Input voltage to the vehicle has risen above an acceptable level.",
     C.POWER, INL_TABLE, (EVSE, EV)),
    ("CX006", "UnderVoltage",
     "Input voltage to the vehicle dropped below an acceptable level (EVSE or EV).",
     C.POWER, INL_CX006, (EVSE, EV)),
    ("CX007", "WeakSignal",
     "The charger's wireless communication device reported a weak signal.",
     C.COMMUNICATION, MREC_REPORT, (CSO, EVSE)),
    ("CX008", "EmergencyStop",
     "The emergency stop was pressed by the user (required if equipped).",
     C.SAFETY, MREC_REPORT, (USER, EVSE)),
    ("CX009", "AuthorizationTimeout",
     "The user plugged in but did not authorize a session before the connection timeout.",
     C.AUTHORIZATION, MREC_REPORT, (USER, CSO, EVSE, EV)),
    ("CX010", "InvalidVehicleMode",
     "The vehicle is in an invalid mode for charging.",
     C.VEHICLE, MREC_REPORT, (USER, EV)),
    ("CX011", "CableCheckFailure",
     "Failure during the DC cable check phase, isolation failure included.",
     C.SAFETY, MREC_REPORT, (EVSE, EV)),
    ("CX012", "PreChargeFailure",
     "The EVSE did not reach the correct pre-charge voltage.",
     C.POWER, MREC_REPORT, (EVSE, EV)),
    ("CX013", "NoInternet",
     "The EVSE has no internet connectivity.",
     C.COMMUNICATION, MREC_REPORT, (CSO, EVSE)),
    ("CX014", "PilotFault",
     "The control pilot voltage is out of range.",
     C.CONNECTOR, MREC_REPORT, (EVSE, EV)),
    ("CX015", "PowerLoss",
     "The EVSE cannot supply any power because of a mains failure.",
     C.GRID, MREC_REPORT, (EVSE,)),
    ("CX016", "EVContactorFault",
     "Contactors on the vehicle side failed to open or close (welding included).",
     C.VEHICLE, MREC_REPORT, (EV,)),
    ("CX017", "EVSEContactorFault",
     "Contactors on the EVSE side failed to open or close (welding included).",
     C.POWER, MREC_REPORT, (EVSE,)),
    ("CX018", "CableOverTempDerate",
     "The charging cable or connector assembly is too hot: power is reduced.",
     C.THERMAL, MREC_REPORT, (EVSE,)),
    ("CX019", "CableOverTempStop",
     "The charging cable or connector assembly is too hot: the session stopped.",
     C.THERMAL, MREC_REPORT, (EVSE, EV)),
    ("CX020", "PartialInsertion",
     "The cable latch is raised: the connector is not fully inserted in the vehicle.",
     C.CONNECTOR, MREC_REPORT, (USER, EVSE, EV)),
    ("CX021", "CapacitanceFault",
     "An isolation monitoring device tripped on high capacitance during charging.",
     C.SAFETY, MREC_REPORT, (EVSE, EV)),
    ("CX022", "ResistanceFault",
     "An isolation monitoring device tripped on low resistance to the chassis during charging.",
     C.SAFETY, MREC_REPORT, (EVSE, EV)),
    ("CX023", "ProximityFault",
     "The proximity voltage is out of range.",
     C.CONNECTOR, MREC_REPORT, (EVSE, EV)),
    ("CX024", "ConnectorVoltageHigh",
     "The EVSE's output voltage is high before charging starts or after it ends.",
     C.SAFETY, MREC_REPORT, (EVSE,)),
    ("CX025", "BrokenLatch",
     "The latch on the connector is broken.",
     C.CONNECTOR, MREC_REPORT, (CSO, EVSE)),
    ("CX026", "CutCable",
     "The output cable has been severed from the EVSE.",
     C.CONNECTOR, MREC_REPORT, (CSO, EVSE)),
)  # fmt: skip
CODES: dict[str, ChargeXCode] = {row[0]: ChargeXCode(*row) for row in _TABLE}


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
