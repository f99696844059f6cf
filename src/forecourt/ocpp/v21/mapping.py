"""Explicit OCPP 2.1 <-> domain tables: only what 2.1 adds to, or changes in, 2.0.1.

Everything else is read with the 2.0.1 tables (``forecourt.ocpp.v201.mapping``). A 2.1 value
the 2.0.1 tables lack is translated here to the 2.0.1 value our rules treat the same way, so
the 2.0.1 handlers serve 2.1 unchanged. Tests read the 2.1 enum lists from the schemas and
fail when a value is neither in a 2.0.1 table nor translated here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from forecourt.ocpp.v201.mapping import STOP_REASON, TOKEN_KIND
from forecourt.ports.station_payments import SettlementStatus

#: IdTokenType.type values of 2.1 (IdTokenEnumStringType, Appendices) -> the 2.0.1 value read
#: the same way. A DirectPayment reference is a payment token: its record (kind ``payment``,
#: made when the hold is opened) outranks the wire's kind, as for every registered token.
TOKEN_TYPE_AS_201: Final[Mapping[str, str]] = MappingProxyType(
    {
        "DirectPayment": "Local",
        "EVCCID": "MacAddress",  # the EV's communication controller id: Autocharge
        "VIN": "Local",
    }
)

#: ReasonEnumType values new in 2.1 -> the 2.0.1 stoppedReason with the same effect.
STOP_REASON_AS_201: Final[Mapping[str, str]] = MappingProxyType(
    {"ReqEnergyTransferRejected": "Other"}
)

#: The token type of a card-terminal payment reference (C18).
DIRECT_PAYMENT: Final = "DirectPayment"

#: AuthorizationStatusEnumType for a prepaid card whose credit is used up (C17).
NO_CREDIT: Final = "NoCredit"

#: PaymentStatusEnumType (NotifySettlementRequest.status).
SETTLEMENT_STATUS: Final[Mapping[str, SettlementStatus]] = MappingProxyType(
    {
        "Settled": SettlementStatus.SETTLED,
        "Canceled": SettlementStatus.CANCELED,
        "Rejected": SettlementStatus.REJECTED,
        "Failed": SettlementStatus.FAILED,
    }
)

#: The 2.0.1 tables the translations above feed (tests check each lands on a known key).
TRANSLATED_INTO: Final = ((TOKEN_TYPE_AS_201, TOKEN_KIND), (STOP_REASON_AS_201, STOP_REASON))
