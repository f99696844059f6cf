"""OCPP 2.0.1 ``ConnectorEnumType`` <-> the domain's connector types: explicit, total tables.

Every ``ConnectorType`` has an outbound entry and every schema value an inbound one (unknown
strings read as ``ConnectorType.UNKNOWN``); tests enforce both directions against the schema.
2.0.1 predates SAE J3400, so NACS travels as ``cTesla`` (the Tesla coupler J3400 standardised)
and ``cTesla`` reads back as NACS.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from forecourt.domain.connectors import ConnectorType

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


def connector_from_ocpp201(value: str) -> ConnectorType:
    """Read an OCPP 2.0.1 connector type; anything unknown is ``UNKNOWN``."""
    return FROM_OCPP201.get(value, ConnectorType.UNKNOWN)
