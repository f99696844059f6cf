"""Paying away from the dispenser: a stand-alone card terminal (OCPP 2.1 C24) and the
attendant's counter ("pay inside": cash or a card on the counter terminal).

Either way the money is taken first, for an amount, then Forecourt starts the chosen port
remotely (RequestStartTransaction / 1.6 RemoteStartTransaction) with a one-time token, the
prepaid limit stops the session before it outgrows the money, and the ordinary outbox
settles the end: the terminal settles the final amount, the till keeps it (cash). Whatever
was not used is the change due (``Payment.change_due``).
"""

from __future__ import annotations

import contextlib
import logging
from decimal import Decimal

from forecourt.domain.errors import InvalidInput
from forecourt.domain.money import Money
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
from forecourt.payments.services.prepaid import PrepaidCards
from forecourt.payments.services.settlement import Settlement

log = logging.getLogger("forecourt.payments")

#: The "provider" of cash taken at the counter (no provider is ever called for it).
CASH = "cash"


class Counter:
    def __init__(self, holds: Holds, settlement: Settlement, prepaid: PrepaidCards) -> None:
        self._holds = holds
        self._settlement = settlement
        self._prepaid = prepaid

    async def load_by_card(
        self,
        id_token: str,
        amount: Decimal,
        currency: str,
        terminal_id: str = "counter",
        taken_by: str = "",
    ) -> Payment:
        """Top up a prepaid card (C17) with a card on the counter terminal: authenticate for
        the amount, then settle it at once (credit is bought, not held). Declined: nothing
        is loaded; an approval whose settlement fails is escalated (the terminal may have
        taken the money; an operator checks), never loaded on a guess."""
        terminal = self._settlement.terminal()
        load = await self._prepaid.open_card_load(
            id_token, amount, currency, terminal.name, taken_by
        )
        request = TerminalRequest(
            terminal_id=terminal_id,
            amount=load.hold,
            reference=load.public_id,
            description=f"Prepaid card top-up {load.public_id}",
        )
        try:
            approved = await terminal.start_authentication(
                request, idempotency_key=load.key("hold")
            )
        except (ProviderUnavailable, ProviderRejected) as exc:
            return await self._prepaid.finish_card_load(load.id, _declined(load, str(exc)))
        if approved.status is not HoldStatus.AUTHORIZED or approved.authorized != load.hold:
            if approved.status is HoldStatus.AUTHORIZED:  # partly approved: let it go
                with contextlib.suppress(ProviderUnavailable, ProviderRejected):
                    await terminal.settle(
                        approved.provider_ref,
                        Money(0, load.currency),
                        idempotency_key=load.key("release"),
                    )
            return await self._prepaid.finish_card_load(load.id, _declined(load, approved))
        try:
            taken = await terminal.settle(
                approved.provider_ref, load.hold, idempotency_key=load.key("capture")
            )
        except (ProviderUnavailable, ProviderRejected) as exc:
            return await self._prepaid.finish_card_load(load.id, None, f"settlement: {exc}")
        if taken.status is not HoldStatus.CAPTURED:
            return await self._prepaid.finish_card_load(load.id, None, f"settled {taken.status}")
        return await self._prepaid.finish_card_load(load.id, taken)

    async def pay_at_terminal(
        self,
        terminal_id: str,
        station_id: str,
        evse_id: int,
        amount: Decimal,
        flow: PaymentFlow = PaymentFlow.STANDALONE_TERMINAL,
        taken_by: str = "",
    ) -> Payment:
        """C24 (and a card at the counter): the terminal authenticates the card for
        ``amount`` (the port's currency); approved, the port is started; declined or
        silent, nothing is."""
        if flow not in TERMINAL_FLOWS:
            raise InvalidInput(f"{flow.value} is not paid at a card terminal")
        terminal = self._settlement.terminal()
        payment = await self._holds.open_prepaid(
            flow, station_id, evse_id, amount, terminal.name, taken_by
        )
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

    async def take_cash(
        self, station_id: str, evse_id: int, amount: Decimal, taken_by: str = ""
    ) -> Payment:
        """Pay inside with cash: recorded as taken, and by whom (no drawer integration); the
        port starts."""
        payment = await self._holds.open_prepaid(
            PaymentFlow.ATTENDANT_CASH, station_id, evse_id, amount, CASH, taken_by
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


def _declined(load: Payment, why: HoldResult | str) -> HoldResult:
    """A terminal's no (a partial approval too: a load is all or nothing)."""
    reason = why if isinstance(why, str) else (why.decline_reason or "partly approved")
    return HoldResult(
        provider_ref=load.provider_ref,
        status=HoldStatus.DECLINED,
        amount=load.hold,
        decline_reason=f"The terminal declined the card ({reason}).",
    )
