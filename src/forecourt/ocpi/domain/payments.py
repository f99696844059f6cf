"""Payments (OCPI 2.3.0 mod_payments), CPO side: a Payment Terminal Provider's terminals and
the Financial Advice Confirmations it sends after capturing at its PSP.

A terminal serves locations and/or EVSEs of ours; a START_SESSION carrying an
``authorization_reference`` is a card pre-authorised at such a terminal, and the confirmation
with the same reference says what was captured. Only 2.3.0 has the module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class InvoiceCreator(StrEnum):
    CPO = "CPO"
    PTP = "PTP"


class CaptureStatus(StrEnum):
    """mod_payments CaptureStatusCode."""

    SUCCESS = "SUCCESS"
    PARTIAL_SUCCESS = "PARTIAL_SUCCESS"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class Terminal:
    """mod_payments Terminal: one physical payment terminal and the charge points it serves.

    ``party_id`` is our party row of the PTP that owns it; ``active`` is our side of the
    activate/deactivate flow (a deactivated terminal serves nothing).
    """

    terminal_id: str
    party_id: int
    last_updated: datetime
    location_ids: tuple[str, ...] = ()
    evse_uids: tuple[str, ...] = ()
    customer_reference: str | None = None
    reference: str | None = None
    address: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None
    invoice_base_url: str | None = None
    invoice_creator: InvoiceCreator | None = None
    active: bool = True
    body: dict[str, object] = field(default_factory=dict)  # the object as the PTP sent it

    def serves(self, location_id: str, evse_uid: str | None) -> bool:
        """Whether a card taken here may pay for a session on that EVSE."""
        if not self.active:
            return False
        if evse_uid is not None and evse_uid in self.evse_uids:
            return True
        return location_id in self.location_ids


@dataclass(frozen=True, slots=True)
class FinancialAdvice:
    """mod_payments FinancialAdviceConfirmation: what the PTP captured for one authorization."""

    id: str
    party_id: int
    authorization_reference: str
    total: Decimal  # total_costs, taxes included (what the driver's card was charged)
    currency: str
    eft_data: tuple[str, ...]
    status: CaptureStatus
    last_updated: datetime
    message: str = ""
    transaction_id: int | None = None  # the session it pays for, when we know it
    body: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CardAuthorization:
    """A START_SESSION paid by a terminal: the PTP's reference and where it started."""

    reference: str
    party_id: int
    station_id: str
    evse_number: int
    terminal_id: str
    created_at: datetime
