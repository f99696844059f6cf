"""OCPP 2.1 ``ConnectorEnumStringType`` <-> the domain's connector types.

2.1 adds ``cNACS`` and two dispenser-integrated adapters: ``cNACS-CCS1`` (a NACS cable with a
built-in NACS->CCS1 adapter, Tesla "Magic Dock") and ``cCCS1-NACS`` (the reverse). Those read
back as the cable's plug plus :data:`OCPP_BUILT_IN_PLUG` naming the second plug. Only the
vocabulary lives here so far: the 2.1 adapter will use it when it is written.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from forecourt.domain.connectors import ConnectorType
from forecourt.ocpp.v201.connectors import FROM_OCPP201

# --- OCPP 2.1 -------------------------------------------------------------------------

#: Predefined values of OCPP 2.1 ``ConnectorEnumStringType`` (Appendices); the field is a
#: free string of at most 20 characters, so other values can still arrive.
OCPP21_CONNECTOR_VALUES: Final = (
    "cCCS1", "cCCS2", "cChaoJi", "cG105", "cGBT-DC", "cLECCS", "cMCS", "cNACS",
    "cNACS-CCS1", "cCCS1-NACS", "cTesla", "cType1", "cType2", "cUltraChaoJi",
    "s309-1P-16A", "s309-1P-32A", "s309-3P-16A", "s309-3P-32A", "sBS1361", "sCEE-7-7",
    "sType1", "sType2", "sType3", "wInductive", "wResonant",
    "Other1PhMax16A", "Other1PhOver16A", "Other3Ph", "Pan", "Undetermined", "Unknown",
)  # fmt: skip

#: Domain -> OCPP 2.1.  ``None``: no 2.1 value (GB/T AC has only a socket in China).
TO_OCPP21: Final = MappingProxyType(
    {
        ConnectorType.NACS: "cNACS",
        ConnectorType.CCS1: "cCCS1",
        ConnectorType.CCS2: "cCCS2",
        ConnectorType.J1772: "cType1",
        ConnectorType.TYPE2: "cType2",
        ConnectorType.CHADEMO: "cG105",
        ConnectorType.GBT_AC: None,
        ConnectorType.GBT_DC: "cGBT-DC",
        ConnectorType.MCS: "cMCS",
        ConnectorType.UNKNOWN: "Unknown",
    }
)

#: OCPP 2.1 -> domain: the plug at the end of the cable.
FROM_OCPP21: Final = MappingProxyType(
    {
        **FROM_OCPP201,
        "cChaoJi": ConnectorType.UNKNOWN,  # ChaoJi is not a CHAdeMO-compatible coupler
        "cGBT-DC": ConnectorType.GBT_DC,
        "cLECCS": ConnectorType.UNKNOWN,  # light-vehicle CCS (IS 17017), not for cars
        "cMCS": ConnectorType.MCS,
        "cNACS": ConnectorType.NACS,
        "cNACS-CCS1": ConnectorType.NACS,
        "cCCS1-NACS": ConnectorType.CCS1,
        "cUltraChaoJi": ConnectorType.UNKNOWN,
        "sType1": ConnectorType.J1772,
    }
)

#: OCPP 2.1 dispenser-integrated adapters: wire value -> the plug the built-in adapter
#: presents to the car (in addition to the cable's own plug).
OCPP_BUILT_IN_PLUG: Final = MappingProxyType(
    {"cNACS-CCS1": ConnectorType.CCS1, "cCCS1-NACS": ConnectorType.NACS}
)


def connector_from_ocpp21(value: str) -> tuple[ConnectorType, ConnectorType | None]:
    """Read an OCPP 2.1 connector type: the cable's plug and any built-in adapter's plug."""
    return FROM_OCPP21.get(value, ConnectorType.UNKNOWN), OCPP_BUILT_IN_PLUG.get(value)
