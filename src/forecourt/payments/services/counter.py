"""Paying away from the dispenser: a stand-alone card terminal (OCPP 2.1 C24) and the
attendant's counter ("pay inside": cash or a card on the counter terminal).

Either way the money is taken first, for an amount, then Forecourt starts the chosen port
remotely (RequestStartTransaction / 1.6 RemoteStartTransaction) with a one-time token, the
prepaid limit stops the session before it outgrows the money, and the ordinary outbox
settles the end: the terminal settles the final amount, the till keeps it (cash). Whatever
was not used is the change due (``Payment.change_due``).
"""

from __future__ import annotations

import logging
from decimal import Decimal

from forecourt.domain.errors import InvalidInput
from forecourt.payments.domain.payments import (
    TERMINAL_FLOWS,
    HoldStatus,
    Payment,
    PaymentFlow,
    PaymentState,
    ProviderRejected,
    ProviderUnavailable,
)
from forecourt.payments.ports import HoldResult, ProviderEvent, TerminalRequest
from forecourt.payments.services.holds import NOT_ANSWERING, Holds
from forecourt.payments.services.settlement import Settlement

log = logging.getLogger("forecourt.payments")

#: The "provider" of cash taken at the counter (no provider is ever called for it).
CASH = "cash"


class Counter:
    def __init__(self, holds: Holds, settlement: Settlement) -> None:
        self._holds = holds
        self._settlement = settlement

    async def pay_at_terminal(
        self,
        terminal_id: str,
        station_id: str,
        evse_id: int,
        amount: Decimal,
        flow: PaymentFlow = PaymentFlow.STANDALONE_TERMINAL,
    ) -> Payment:
        """C24 (and a card at the counter): the terminal authenticates the card for
        ``amount`` (the port's currency); approved, the port is started; declined or
        silent, nothing is."""
        if flow not in TERMINAL_FLOWS:
            raise InvalidInput(f"{flow.value} is not paid at a card terminal")
        terminal = self._settlement.terminal()
        payment = await self._holds.open_prepaid(flow, station_id, evse_id, amount, terminal.name)
        request = TerminalRequest(
            terminal_id=terminal_id,
            amount=payment.hold,
            reference=payment.public_id,
            description=f"EV charging at {station_id}/{evse_id}",
        )
        try:
            result = await terminal.start_authentication(
                request, idempotency_key=payment.key("hold")
            )
        except ProviderUnavailable:
            return await self._holds.decline(payment.id, NOT_ANSWERING)
        except ProviderRejected as exc:
            return await self._holds.decline(payment.id, f"The terminal refused ({exc}).")
        return await self._holds.apply(ProviderEvent("", result)) or payment

    async def take_cash(self, station_id: str, evse_id: int, amount: Decimal) -> Payment:
        """Pay inside with cash: recorded as taken (no drawer integration); the port starts."""
        payment = await self._holds.open_prepaid(
            PaymentFlow.ATTENDANT_CASH, station_id, evse_id, amount, CASH
        )
        taken = HoldResult(
            provider_ref=f"cash-{payment.public_id}",
            status=HoldStatus.AUTHORIZED,
            amount=payment.hold,
            authorized=payment.hold,
            reference=payment.public_id,
        )
        return await self._holds.apply(ProviderEvent("", taken)) or payment

    async def trigger(self, payment: Payment) -> None:
        """The session runs: tell the terminal (its second step). Best effort: the money was
        authenticated already and is settled by the outbox whatever the terminal says here."""
        if payment.flow not in TERMINAL_FLOWS or payment.state is not PaymentState.IN_SESSION:
            return
        try:
            await self._settlement.terminal().trigger_transaction(
                payment.provider_ref,
                str(payment.transaction_id),
                idempotency_key=payment.key("trigger"),
            )
        except (ProviderUnavailable, ProviderRejected) as exc:
            log.warning("terminal did not take the transaction of %s: %s", payment.public_id, exc)
