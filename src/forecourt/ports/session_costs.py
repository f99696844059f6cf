"""The price of a session, for the OCPP edge: a feature (payments) offers it, the core asks.

2.0.1 answers an ``Ended`` TransactionEvent with the session's ``totalCost`` when the session
is priced (I02/E06). The tariffs live in the payments slice, which the core must not import,
so payments offers a :class:`SessionCosts` under :data:`SESSION_COSTS` (none installed, or no
tariff applies: no total).

A 2.1 station that holds our tariff reports its own cost (``costDetails``); our price stays
what we bill, and :data:`STATION_COSTS` compares the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from forecourt.ports.keys import Key


@dataclass(frozen=True, slots=True)
class BilledTax:
    name: str
    percent: Decimal
    amount: Decimal  # major units


@dataclass(frozen=True, slots=True)
class BilledCost:
    """A session's price exactly as we bill it (the payments ledger's breakdown), for roaming:
    OCPI sessions and CDRs carry these amounts and never price a session themselves."""

    currency: str
    before_taxes: Decimal  # major units
    taxes: tuple[BilledTax, ...]
    total: Decimal  # taxes included
    energy_wh: int
    fixed: Decimal  # the session fee, before taxes
    energy: Decimal  # the energy lines, before taxes
    parking: Decimal  # the idle fee, before taxes
    idle_minutes: int
    charging_ended_at: datetime | None
    tariff_code: str
    final: bool  # the session ended: this is the bill


class SessionCosts(Protocol):
    async def total(self, transaction_id: int) -> str | None: ...

    # ^ the total, taxes included, as a decimal string in major units; None: not priced

    async def billed(self, transaction_id: int) -> BilledCost | None: ...

    # ^ the itemised price (running or final); None: not priced


#: The port payments offers (``Feature.offers``) and the transaction edge asks for.
SESSION_COSTS: Key[SessionCosts] = Key("session_costs")


@dataclass(frozen=True, slots=True)
class StationCost:
    """What a station that prices itself (OCPP 2.1 ``costDetails``) says a session cost."""

    station_id: str
    station_tx_id: str
    currency: str
    total: Decimal | None  # taxes included, major units; None: the station failed to compute
    failure_reason: str = ""
    #: The running cost of an Updated event at ``at`` (the event's time), not the final one.
    running: bool = False
    at: datetime | None = None


class StationCostChecks(Protocol):
    async def check(self, cost: StationCost) -> None: ...

    # ^ compare with our price of the session; a difference beyond tolerance is flagged


#: Offered by payments; the 2.1 edge reports every ``costDetails`` (running and final) to it.
STATION_COSTS: Key[StationCostChecks] = Key("station_costs")
