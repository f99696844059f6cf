"""The price of a session, for the OCPP edge: a feature (payments) offers it, the core asks.

2.0.1 answers an ``Ended`` TransactionEvent with the session's ``totalCost`` when the session
is priced (I02/E06). The tariffs live in the payments slice, which the core must not import,
so payments offers a :class:`SessionCosts` under :data:`SESSION_COSTS` (none installed, or no
tariff applies: no total).
"""

from __future__ import annotations

from typing import Protocol

from forecourt.ports.keys import Key


class SessionCosts(Protocol):
    async def total(self, transaction_id: int) -> str | None: ...

    # ^ the total, taxes included, as a decimal string in major units; None: not priced


#: The port payments offers (``Feature.offers``) and the transaction edge asks for.
SESSION_COSTS: Key[SessionCosts] = Key("session_costs")
