"""Explicit, total mapping tables between the domain's connector vocabulary and the wire.

Every ``ConnectorType`` has an entry in every outbound table, and every wire value a
standard defines has an entry in the matching inbound table (unknown strings map to
``ConnectorType.UNKNOWN``).  Tests enforce both directions.

How NACS (SAE J3400) is represented where a standard lacks it:

* OCPP 2.0.1 ``ConnectorEnumType`` has no NACS value.  We send ``cTesla`` (the Tesla
  captive-cable connector, which J3400 standardised) and read ``cTesla`` back as NACS.
* OCPP 2.1 ``ConnectorEnumStringType`` adds ``cNACS`` plus two dispenser-integrated
  adapters: ``cNACS-CCS1`` (Tesla "Magic Dock": NACS cable with a built-in NACS->CCS1
  adapter) and ``cCCS1-NACS`` (CCS1 cable with a built-in CCS1->NACS adapter).  Those
  read back as the cable's plug plus :data:`OCPP_BUILT_IN_PLUG` naming the second plug.
* OCPI 2.2.1 ``ConnectorType`` has no J3400 value; the common practice is ``TESLA_S``
  ("Model-S type, oval 5 pin"), which we send.  OCPI 2.3.0 adds ``SAE_J3400`` (and
  ``MCS``); we accept both on input so a 2.3.0 peer is understood.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from forecourt.domain.connectors import ConnectorType, PowerType

# --- OCPP 2.0.1 -----------------------------------------------------------------------

#: Every value of OCPP 2.0.1 ``ConnectorEnumType`` (ReserveNowRequest schema), in order.
OCPP201_CONNECTOR_VALUES: Final = (
    "cCCS1", "cCCS2", "cG105", "cTesla", "cType1", "cType2",
    "s309-1P-16A", "s309-1P-32A", "s309-3P-16A", "s309-3P-32A",
    "sBS1361", "sCEE-7-7", "sType2", "sType3",
    "Other1PhMax16A", "Other1PhOver16A", "Other3Ph", "Pan",
    "wInductive", "wResonant", "Undetermined", "Unknown",
)  # fmt: skip

#: Domain -> OCPP 2.0.1.  ``None``: the type has no 2.0.1 value; callers omit the field.
TO_OCPP201: Final = MappingProxyType(
    {
        ConnectorType.NACS: "cTesla",  # 2.0.1 predates J3400; cTesla is the same coupler
        ConnectorType.CCS1: "cCCS1",
        ConnectorType.CCS2: "cCCS2",
        ConnectorType.J1772: "cType1",
        ConnectorType.TYPE2: "cType2",
        ConnectorType.CHADEMO: "cG105",
        ConnectorType.GBT_AC: None,
        ConnectorType.GBT_DC: None,
        ConnectorType.MCS: None,
        ConnectorType.UNKNOWN: "Unknown",
    }
)

#: OCPP 2.0.1 -> domain.  Sockets and domestic outlets are not EV couplers we model.
FROM_OCPP201: Final = MappingProxyType(
    {
        "cCCS1": ConnectorType.CCS1,
        "cCCS2": ConnectorType.CCS2,
        "cG105": ConnectorType.CHADEMO,
        "cTesla": ConnectorType.NACS,
        "cType1": ConnectorType.J1772,
        "cType2": ConnectorType.TYPE2,
        "s309-1P-16A": ConnectorType.UNKNOWN,
        "s309-1P-32A": ConnectorType.UNKNOWN,
        "s309-3P-16A": ConnectorType.UNKNOWN,
        "s309-3P-32A": ConnectorType.UNKNOWN,
        "sBS1361": ConnectorType.UNKNOWN,
        "sCEE-7-7": ConnectorType.UNKNOWN,
        "sType2": ConnectorType.TYPE2,  # a Type 2 socket takes the same plug
        "sType3": ConnectorType.UNKNOWN,
        "Other1PhMax16A": ConnectorType.UNKNOWN,
        "Other1PhOver16A": ConnectorType.UNKNOWN,
        "Other3Ph": ConnectorType.UNKNOWN,
        "Pan": ConnectorType.UNKNOWN,
        "wInductive": ConnectorType.UNKNOWN,
        "wResonant": ConnectorType.UNKNOWN,
        "Undetermined": ConnectorType.UNKNOWN,
        "Unknown": ConnectorType.UNKNOWN,
    }
)

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

# --- OCPI ------------------------------------------------------------------------------

#: Every value of OCPI 2.2.1 ``ConnectorType``.
OCPI221_CONNECTOR_VALUES: Final = (
    "CHADEMO", "CHAOJI",
    *(f"DOMESTIC_{letter}" for letter in "ABCDEFGHIJKLMNO"),
    "GBT_AC", "GBT_DC",
    "IEC_60309_2_single_16", "IEC_60309_2_three_16", "IEC_60309_2_three_32",
    "IEC_60309_2_three_64",
    "IEC_62196_T1", "IEC_62196_T1_COMBO", "IEC_62196_T2", "IEC_62196_T2_COMBO",
    "IEC_62196_T3A", "IEC_62196_T3C",
    "NEMA_5_20", "NEMA_6_30", "NEMA_6_50", "NEMA_10_30", "NEMA_10_50", "NEMA_14_30",
    "NEMA_14_50",
    "PANTOGRAPH_BOTTOM_UP", "PANTOGRAPH_TOP_DOWN", "TESLA_R", "TESLA_S",
)  # fmt: skip

#: Values OCPI 2.3.0 adds to ``ConnectorType`` that we understand on input.
OCPI230_ADDED_CONNECTOR_VALUES: Final = ("MCS", "SAE_J3400")

#: Domain -> OCPI 2.2.1 ``standard``.  ``None``: not representable in 2.2.1, so the
#: connector must not be published to 2.2.1 peers (MCS is a 2.3.0 value).
TO_OCPI221: Final = MappingProxyType(
    {
        ConnectorType.NACS: "TESLA_S",  # 2.2.1 has no SAE_J3400; TESLA_S is the same coupler
        ConnectorType.CCS1: "IEC_62196_T1_COMBO",
        ConnectorType.CCS2: "IEC_62196_T2_COMBO",
        ConnectorType.J1772: "IEC_62196_T1",
        ConnectorType.TYPE2: "IEC_62196_T2",
        ConnectorType.CHADEMO: "CHADEMO",
        ConnectorType.GBT_AC: "GBT_AC",
        ConnectorType.GBT_DC: "GBT_DC",
        ConnectorType.MCS: None,
        ConnectorType.UNKNOWN: None,
    }
)

#: Domain -> OCPI 2.3.0 ``standard``.
TO_OCPI230: Final = MappingProxyType(
    {**TO_OCPI221, ConnectorType.NACS: "SAE_J3400", ConnectorType.MCS: "MCS"}
)

_OCPI_KNOWN: Final = {
    "CHADEMO": ConnectorType.CHADEMO,
    "GBT_AC": ConnectorType.GBT_AC,
    "GBT_DC": ConnectorType.GBT_DC,
    "IEC_62196_T1": ConnectorType.J1772,
    "IEC_62196_T1_COMBO": ConnectorType.CCS1,
    "IEC_62196_T2": ConnectorType.TYPE2,
    "IEC_62196_T2_COMBO": ConnectorType.CCS2,
    "TESLA_S": ConnectorType.NACS,
    "TESLA_R": ConnectorType.UNKNOWN,  # Roadster plug, not J3400
    "MCS": ConnectorType.MCS,
    "SAE_J3400": ConnectorType.NACS,
}

#: OCPI (2.2.1 plus the 2.3.0 additions) -> domain.
FROM_OCPI: Final = MappingProxyType(
    {
        value: _OCPI_KNOWN.get(value, ConnectorType.UNKNOWN)
        for value in (*OCPI221_CONNECTOR_VALUES, *OCPI230_ADDED_CONNECTOR_VALUES)
    }
)

#: OCPI 2.2.1 ``PowerType`` values.
OCPI221_POWER_VALUES: Final = ("AC_1_PHASE", "AC_2_PHASE", "AC_2_PHASE_SPLIT", "AC_3_PHASE", "DC")

TO_OCPI_POWER: Final = MappingProxyType(
    {
        PowerType.AC_1_PHASE: "AC_1_PHASE",
        PowerType.AC_3_PHASE: "AC_3_PHASE",
        PowerType.DC: "DC",
    }
)

#: OCPI -> domain.  Two-phase and North American split-phase (240 V between two legs)
#: deliver single-phase power to the car's on-board charger.
FROM_OCPI_POWER: Final = MappingProxyType(
    {
        "AC_1_PHASE": PowerType.AC_1_PHASE,
        "AC_2_PHASE": PowerType.AC_1_PHASE,
        "AC_2_PHASE_SPLIT": PowerType.AC_1_PHASE,
        "AC_3_PHASE": PowerType.AC_3_PHASE,
        "DC": PowerType.DC,
    }
)


def connector_from_ocpp201(value: str) -> ConnectorType:
    """Read an OCPP 2.0.1 connector type; anything unknown is ``UNKNOWN``."""
    return FROM_OCPP201.get(value, ConnectorType.UNKNOWN)


def connector_from_ocpp21(value: str) -> tuple[ConnectorType, ConnectorType | None]:
    """Read an OCPP 2.1 connector type: the cable's plug and any built-in adapter's plug."""
    return FROM_OCPP21.get(value, ConnectorType.UNKNOWN), OCPP_BUILT_IN_PLUG.get(value)


def connector_from_ocpi(value: str) -> ConnectorType:
    """Read an OCPI ``standard``; anything unknown is ``UNKNOWN``."""
    return FROM_OCPI.get(value, ConnectorType.UNKNOWN)


def power_from_ocpi(value: str) -> PowerType | None:
    """Read an OCPI ``power_type``; ``None`` for a value OCPI does not define."""
    return FROM_OCPI_POWER.get(value)
