"""Payments a station takes itself (OCPP 2.1 C18-C22), and prepaid cards (C17): a port the
payments slice offers the core.

A station with a locally connected card terminal pre-authorises the card and presents the
PSP reference as a ``DirectPayment`` id token; at the end it settles and reports the result
(``NotifySettlement``). The protocol edge only translates: the hold, its limit, the settlement
and the receipt belong to whichever feature offers :data:`STATION_PAYMENTS` (payments). The
core never imports that feature; without it, a direct payment is simply not accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from forecourt.domain.station_tariffs import StationTariff
from forecourt.ports.keys import Key


class SettlementStatus(StrEnum):
    """How the station's settlement attempt ended (2.1 ``PaymentStatusEnumType``)."""

    SETTLED = "settled"
    CANCELED = "canceled"  # C19/C20: the driver cancelled; nothing (more) is charged
    REJECTED = "rejected"  # C22: the PSP refused the settlement
    FAILED = "failed"  # C22: the settlement could not be done (network, terminal)


@dataclass(frozen=True, slots=True)
class PrepaidLimit:
    """What a prepaid session may use; ``None`` fields are unlimited.

    ``max_cost`` is in the currency's major units (a decimal, never a float).
    """

    max_cost: Decimal | None = None
    max_energy_wh: float | None = None
    max_time_s: int | None = None
    max_soc: int | None = None


@dataclass(frozen=True, slots=True)
class DirectHold:
    """Our answer to a station's direct-payment token."""

    accepted: bool
    limit: PrepaidLimit | None = None
    reason: str = ""  # why not, for the operator's log


@dataclass(frozen=True, slots=True)
class StationSettlement:
    """A station's report of one settlement (``NotifySettlementRequest``)."""

    station_id: str
    psp_ref: str
    status: SettlementStatus
    amount: Decimal  # settled or attempted, major units of the hold's currency
    settled_at: datetime
    station_tx_id: str | None = None  # empty when cancelled before the transaction began
    status_info: str = ""
    receipt_url: str = ""  # when the terminal or station made the receipt
    receipt_id: str = ""


class StationPaymentPort(Protocol):
    async def authorize_direct(
        self, station_id: str, psp_ref: str, evse_id: int | None
    ) -> DirectHold:
        """Open (or find) the hold for ``psp_ref``; idempotent for the same reference."""
        ...

    async def record_settlement(self, settlement: StationSettlement) -> str:
        """Record it exactly once (replays change nothing); the receipt URL to return."""
        ...

    async def limit_for(self, station_id: str, id_token: str) -> PrepaidLimit | None:
        """The prepaid limit of the hold behind ``id_token``, if any."""
        ...

    async def authorize_prepaid(
        self, station_id: str, id_token: str, evse_id: int | None
    ) -> DirectHold:
        """C17: a prepaid card's credit set aside for a session (not accepted: no credit
        left); a token that is no prepaid card is accepted with no limit."""
        ...

    async def driver_tariff(self, station_id: str, id_token: str) -> StationTariff | None:
        """The token's own tariff (2.1 ``DriverTariff``) as the station computes with it."""
        ...

    async def limit_raised(self, station_id: str, station_tx_id: str, max_cost: Decimal) -> bool:
        """C23 at the station's own terminal: it grew the card's authorization and reports its
        new cost limit; the session's DirectPayment hold grows to it (never shrinks). False:
        no such hold, or nothing grew."""
        ...


STATION_PAYMENTS: Key[StationPaymentPort] = Key("station_payments")
