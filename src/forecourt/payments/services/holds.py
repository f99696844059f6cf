"""Card holds: scan-to-pay, a reader at the dispenser, a terminal's pre-authorisation.

A hold approved for a session becomes an id token the station presents (the driver never
sees it): ``PAYMENT`` for a dispenser terminal's reference, ``CENTRAL`` for holds Forecourt
starts remotely. The token expires with the start window and is blocked once used.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from forecourt.domain.commands import CommandStatus, RemoteStart
from forecourt.domain.errors import ForecourtError, InvalidInput, NotFound
from forecourt.domain.money import Money
from forecourt.domain.stations import ConnectorStatus
from forecourt.domain.tokens import TokenKind, TokenRecord
from forecourt.payments.domain.payments import (
    REMOTE_START_FLOWS,
    HoldStatus,
    Payment,
    PaymentError,
    PaymentFlow,
    PaymentState,
    ProviderRejected,
    ProviderUnavailable,
    new_token_value,
)
from forecourt.payments.ports import (
    PAYMENT_STORE,
    HoldRequest,
    HoldResult,
    PaymentProvider,
    ProviderEvent,
)
from forecourt.payments.services.policy import PaymentPolicy
from forecourt.payments.services.settlement import Settlement
from forecourt.payments.services.tariffs import PricedEvse, Tariffs, resolve_tariff
from forecourt.ports.repositories import UnitOfWork
from forecourt.services.context import ServiceContext
from forecourt.services.remote_control import RemoteControl

log = logging.getLogger("forecourt.payments")

#: ``last_error`` of a session whose hold increase was declined (C23): not asked again.
INCREASE_DECLINED = "hold increase declined"
NOT_ANSWERING = "The payment service is not answering. Nothing was charged; please try again."
DECLINED = "The card was declined. Nothing was charged; please try another card."
_START_REFUSED = {
    CommandStatus.OFFLINE: "The charger is offline right now.",
    CommandStatus.REJECTED: "The charger refused to start (is the connector free?).",
    CommandStatus.NOT_SUPPORTED: "This charger cannot be started remotely.",
    CommandStatus.CALL_ERROR: "The charger reported an error when asked to start.",
}
_UNUSABLE = (ConnectorStatus.FAULTED, ConnectorStatus.UNAVAILABLE)


class CannotStart(PaymentError):
    """Scan-to-pay is not possible at this EVSE right now (the message says why)."""


class Holds:
    def __init__(
        self,
        ctx: ServiceContext,
        provider: PaymentProvider,
        remote: RemoteControl,
        tariffs: Tariffs,
        settlement: Settlement,
        policy: PaymentPolicy,
    ) -> None:
        self._ctx = ctx
        self._provider = provider
        self._remote = remote
        self._tariffs = tariffs
        self._settlement = settlement
        self._policy = policy
        self._background: set[asyncio.Task[None]] = set()

    # -- scan-to-pay and the dispenser's reader ---------------------------------------------
    async def start_scan_to_pay(self, station_id: str, evse_id: int, email: str = "") -> Payment:
        """Set up a hold on the hosted card page; ``redirect_url`` is where the driver goes."""
        priced = await self._tariffs.for_evse(station_id, evse_id)
        await self._check_startable(priced)
        payment = await self._open(PaymentFlow.SCAN_TO_PAY, priced, email=email.strip())
        return await self._request_hold(payment, "")

    async def arm_reader(self, station_id: str, evse_id: int) -> Payment:
        """Ask the card reader at this dispenser to take a card (provider-driven reader)."""
        reader = self._policy.readers.reader_for(station_id, evse_id)
        if not reader:
            raise InvalidInput(f"no card reader is configured for {station_id}/{evse_id}")
        priced = await self._tariffs.for_evse(station_id, evse_id)
        await self._check_startable(priced)
        payment = await self._open(PaymentFlow.DISPENSER_READER, priced)
        return await self._request_hold(payment, reader)

    async def _check_startable(self, priced: PricedEvse) -> None:
        station = priced.station
        if not station.connected:
            raise CannotStart("This charger is offline right now. Nothing was charged.")
        evse = station.evse(priced.evse_id)
        if (
            evse is not None
            and evse.connectors
            and all(c.status in _UNUSABLE for c in evse.connectors)
        ):
            raise CannotStart("This connector is out of order. Nothing was charged.")
        async with self._ctx.uow() as uow:
            if await uow.transactions.active_on_evse(station.id, priced.evse_id):
                raise CannotStart("Someone is charging at this connector. Nothing was charged.")

    async def open_prepaid(
        self,
        flow: PaymentFlow,
        station_id: str,
        evse_id: int,
        amount: Decimal,
        provider: str,
        taken_by: str = "",
    ) -> Payment:
        """A payment for a chosen amount (in the port's currency) at a port that can start
        now (the counter, a stand-alone terminal)."""
        priced = await self._tariffs.for_evse(station_id, evse_id)
        money = Money.of(amount, priced.tariff.currency)
        if money.minor <= 0:
            raise InvalidInput("the amount must be more than zero")
        await self._check_startable(priced)
        return await self._open(flow, priced, amount=money, provider=provider, taken_by=taken_by)

    async def _open(
        self,
        flow: PaymentFlow,
        priced: PricedEvse,
        email: str = "",
        amount: Money | None = None,
        provider: str = "",
        taken_by: str = "",
    ) -> Payment:
        tariff = priced.tariff
        payment = Payment(
            flow=flow,
            provider=provider or self._provider.name,
            currency=tariff.currency,
            hold_minor=(amount or tariff.hold()).minor,
            created_at=self._ctx.clock.now(),
            id_token=new_token_value("FC"),
            station_id=priced.station.id,
            evse_id=priced.evse_id,
            email=email,
            tariff=tariff.to_dict(),
            taken_by=taken_by,
        )
        async with self._ctx.uow() as uow:
            await uow.repository(PAYMENT_STORE).add(payment)
            await uow.commit()
        return payment

    async def _request_hold(self, payment: Payment, reader_id: str) -> Payment:
        request = hold_request(payment, self._policy, reader_id)
        try:
            result = await self._provider.create_hold(request, idempotency_key=payment.key("hold"))
        except ProviderUnavailable:
            return await self.decline(payment.id, NOT_ANSWERING)
        except ProviderRejected as exc:
            return await self.decline(payment.id, f"The payment could not be set up ({exc}).")
        return await self.apply(ProviderEvent("", result)) or payment

    async def decline(self, payment_id: int, message: str) -> Payment:
        async with self._ctx.uow() as uow:
            payment = await uow.repository(PAYMENT_STORE).get_for_update(payment_id)
            assert payment is not None
            payment.message = message
            payment.move(PaymentState.DECLINED, self._ctx.clock.now())
            await uow.repository(PAYMENT_STORE).save(payment)
            await uow.commit()
        return payment

    # -- what the provider tells us -----------------------------------------------------------
    async def handle_webhook(self, body: bytes, headers: Mapping[str, str]) -> Payment | None:
        """A provider notification (InvalidWebhook when not authentic)."""
        event = await self._provider.parse_webhook(body, headers)
        return None if event is None else await self.apply(event)

    async def apply(self, event: ProviderEvent) -> Payment | None:
        """Fold the provider's view of a hold into our payment; start the session if due."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            if event.event_id and not await uow.repository(PAYMENT_STORE).record_event(
                self._provider.name, event.event_id, now
            ):
                return None  # delivered before
            payment = await self._payment_for(uow, event, now)
            if payment is None:
                await uow.commit()
                return None
            before = payment.state
            await self._update(uow, payment, event.hold, now)
            await uow.repository(PAYMENT_STORE).save(payment)
            if before is not payment.state:
                self._ctx.stage_event(
                    uow,
                    f"payment.{payment.state.value}",
                    payment.station_id,
                    public_id=payment.public_id,
                )
            await uow.commit()
        if before is not payment.state:
            self._after_change(payment)
        return payment

    async def _payment_for(
        self, uow: UnitOfWork, event: ProviderEvent, now: datetime
    ) -> Payment | None:
        hold = event.hold
        payment = await uow.repository(PAYMENT_STORE).by_provider_ref(
            self._provider.name, hold.provider_ref
        )
        if payment is None and hold.reference:
            payment = await uow.repository(PAYMENT_STORE).by_public_id(hold.reference)
        if payment is not None:
            payment = await uow.repository(PAYMENT_STORE).get_for_update(payment.id)
        if payment is None and event.id_token:
            payment = await self._terminal_payment(uow, event, now)
        if payment is not None and payment.state is PaymentState.PENDING and hold.provider_ref:
            # Hosted pages may hand over to the real hold (Stripe: Checkout -> PaymentIntent).
            payment.provider_ref = hold.provider_ref
            payment.redirect_url = hold.redirect_url or payment.redirect_url
        return payment

    async def _terminal_payment(
        self, uow: UnitOfWork, event: ProviderEvent, now: datetime
    ) -> Payment:
        """A dispenser terminal pre-authorised a card we have not heard of: a new payment."""
        payment = Payment(
            flow=PaymentFlow.DISPENSER_TERMINAL,
            provider=self._provider.name,
            currency=event.hold.amount.currency,
            hold_minor=event.hold.amount.minor,
            created_at=now,
            provider_ref=event.hold.provider_ref,
            id_token=event.id_token,
            station_id=event.station_id,
            evse_id=event.evse_id,
        )
        station = await uow.stations.get(event.station_id) if event.station_id else None
        if station is not None and event.evse_id is not None:
            with contextlib.suppress(ForecourtError):  # else pinned when the session starts
                tariff = await resolve_tariff(uow, station, event.evse_id, None, now)
                payment.tariff = tariff.to_dict()
        # A concurrent delivery of the same hold loses on the unique provider reference
        # (Conflict -> the provider redelivers, and then finds this payment).
        await uow.repository(PAYMENT_STORE).add(payment)
        return payment

    async def _update(
        self, uow: UnitOfWork, payment: Payment, hold: HoldResult, now: datetime
    ) -> None:
        if hold.card.last4:
            payment.card = hold.card
        if payment.state is not PaymentState.PENDING:
            return  # later states are ours to drive (capture and release results come back)
        if hold.status is HoldStatus.AUTHORIZED:
            approved = hold.authorized or hold.amount
            if approved.minor <= 0:
                payment.message = hold.decline_reason or DECLINED
                payment.move(PaymentState.DECLINED, now)
                return
            payment.authorized_minor = approved.minor
            payment.authorized_at = now
            payment.move(PaymentState.AUTHORIZED, now)
            await self._issue_token(uow, payment, now)
        elif hold.status is HoldStatus.DECLINED:
            payment.message = hold.decline_reason or DECLINED
            payment.move(PaymentState.DECLINED, now)
        elif hold.status is HoldStatus.CANCELED:
            payment.message = "The payment was cancelled. Nothing was charged."
            payment.move(PaymentState.DECLINED, now)

    async def _issue_token(self, uow: UnitOfWork, payment: Payment, now: datetime) -> None:
        kind = (
            TokenKind.PAYMENT
            if payment.flow is PaymentFlow.DISPENSER_TERMINAL
            else TokenKind.CENTRAL
        )
        expires = now + timedelta(seconds=self._policy.start_timeout_s)
        record = await uow.tokens.get(payment.id_token)
        if record is None:
            label = f"card hold {payment.public_id}"
            await uow.tokens.add(
                TokenRecord(payment.id_token, kind, expires_at=expires, label=label)
            )
        elif not record.blocked:
            record.expires_at = expires
            await uow.tokens.save(record)

    def _after_change(self, payment: Payment) -> None:
        """Once the new state is committed (its event staged with it)."""
        remote = payment.flow in REMOTE_START_FLOWS
        if payment.state is PaymentState.AUTHORIZED and remote:
            self._spawn(self._start_remotely(payment))

    # -- C23: the hold grows during the session ------------------------------------------------
    async def increase(self, payment: Payment) -> Payment:
        """Ask the provider to grow this session's hold by one hold amount (the same hold
        reference; one key per target, so a retry never asks twice). A decline is recorded
        and not asked again: the session then stops at the limit it has."""
        target = Money(payment.authorized_minor + payment.hold_minor, payment.currency)
        key = payment.key(f"increment-{target.minor}")
        try:
            result = await self._provider.increment_hold(
                payment.provider_ref, target, idempotency_key=key
            )
        except ProviderUnavailable:
            return payment  # asked again at the next reading
        except ProviderRejected as exc:
            return await self._record_increase(payment.id, None, f"{INCREASE_DECLINED}: {exc}")
        return await self._record_increase(payment.id, result.authorized or target, "")

    async def _record_increase(
        self, payment_id: int, approved: Money | None, error: str
    ) -> Payment:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            payment = await uow.repository(PAYMENT_STORE).get_for_update(payment_id)
            assert payment is not None
            if payment.state is PaymentState.IN_SESSION:
                if approved is not None and approved.minor > payment.authorized_minor:
                    payment.authorized_minor = approved.minor
                payment.last_error = error
                payment.updated_at = now
                await uow.repository(PAYMENT_STORE).save(payment)
            topic = "payment.increase_declined" if error else "payment.increased"
            self._ctx.stage_event(uow, topic, payment.station_id, public_id=payment.public_id)
            await uow.commit()
        return payment

    # -- starting the session -----------------------------------------------------------------
    async def _start_remotely(self, payment: Payment) -> None:
        command = RemoteStart(id_token=payment.id_token, evse_id=payment.evse_id)
        try:
            record = await self._remote.send(
                payment.station_id, command, requested_by=f"payment {payment.public_id}"
            )
        except ForecourtError as exc:
            await self._settlement.release_unused(
                payment.id, f"The charger could not be started ({exc})."
            )
            return
        refused = _START_REFUSED.get(record.status)
        if refused is not None:  # a definite no; a timeout may still start, so it waits
            await self._settlement.release_unused(payment.id, f"{refused} Your hold was released.")

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def drain(self) -> None:
        """Wait for background starts (tests, shutdown)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    # -- reading --------------------------------------------------------------------------------
    async def get(self, public_id: str) -> Payment:
        async with self._ctx.uow() as uow:
            payment = await uow.repository(PAYMENT_STORE).by_public_id(public_id)
        if payment is None:
            raise NotFound("payment", public_id)
        return payment

    async def refresh_pending(self, payment: Payment) -> Payment:
        """Ask the provider about a hold still pending (a webhook may be late or lost)."""
        if payment.state is not PaymentState.PENDING or not payment.provider_ref:
            return payment
        try:
            hold = await self._provider.get_hold(payment.provider_ref)
        except (ProviderUnavailable, ProviderRejected):
            return payment
        return await self.apply(ProviderEvent("", hold)) or payment


def hold_request(payment: Payment, policy: PaymentPolicy, reader_id: str) -> HoldRequest:
    """The provider request for a payment's hold; the same every time (idempotency)."""
    return HoldRequest(
        amount=payment.hold,
        reference=payment.public_id,
        flow=payment.flow,
        description=f"EV charging at {payment.station_id}/{payment.evse_id}",
        return_url=policy.url(f"/pay/session/{payment.public_id}"),
        cancel_url=policy.url(f"/pay/{payment.station_id}/{payment.evse_id}"),
        reader_id=reader_id,
        metadata={"forecourt_payment": payment.public_id, "id_token": payment.id_token},
    )
