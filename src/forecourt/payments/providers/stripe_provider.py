"""Stripe, through the official ``stripe`` library.

* Scan-to-pay: a Checkout Session in payment mode whose PaymentIntent uses
  ``capture_method=manual`` (a hold); the driver pays on Stripe's hosted page.
* Card reader at the dispenser: a ``card_present`` PaymentIntent with manual capture, handed
  to the reader with ``/v1/terminal/readers/{reader}/process_payment_intent``.
* A dispenser's own terminal making PaymentIntents itself: when its metadata carries
  ``id_token`` (and ``station_id``/``evse_id``), the authorised hold becomes a session token.
* Capture ``amount_to_capture`` (the rest is released by Stripe), cancel to release; every call
  with an ``Idempotency-Key``. Webhooks are verified with the endpoint's signing secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import stripe

from forecourt.domain.money import Money
from forecourt.payments.domain.payments import (
    CardInfo,
    HoldStatus,
    InvalidWebhook,
    PaymentFlow,
    ProviderRejected,
    ProviderUnavailable,
)
from forecourt.payments.ports import HoldRequest, HoldResult, ProviderEvent

#: PaymentIntent status -> neutral hold status.
PI_STATUS: dict[str, HoldStatus] = {
    "requires_payment_method": HoldStatus.PENDING,
    "requires_confirmation": HoldStatus.PENDING,
    "requires_action": HoldStatus.PENDING,
    "processing": HoldStatus.PENDING,
    "requires_capture": HoldStatus.AUTHORIZED,
    "succeeded": HoldStatus.CAPTURED,
    "canceled": HoldStatus.CANCELED,
}
_PI_EVENTS = frozenset(
    {
        "payment_intent.amount_capturable_updated",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
        "payment_intent.succeeded",
    }
)


class StripeProvider:
    name = "stripe"

    def __init__(
        self,
        api_key: str,
        webhook_secret: str,
        *,
        api_base: str | None = None,
        timeout_s: float = 20.0,
    ) -> None:
        bases: Any = {"api": api_base} if api_base else None
        http = stripe.HTTPXClient(timeout=timeout_s)
        self._client = stripe.StripeClient(
            api_key,
            base_addresses=bases,
            http_client=http,
            max_network_retries=0,  # Forecourt retries owed calls itself, with the same key
        )
        self._webhook_secret = webhook_secret
        self._http = http

    async def aclose(self) -> None:
        """Close the SDK's connection pool (its open sockets) when the provider is done."""
        await self._http.close_async()  # type: ignore[no-untyped-call]  # unannotated in the SDK

    async def create_hold(self, request: HoldRequest, *, idempotency_key: str) -> HoldResult:
        options: Any = {"idempotency_key": idempotency_key}
        metadata = {**request.metadata, "forecourt_payment": request.reference}
        if request.flow is PaymentFlow.SCAN_TO_PAY:
            session = await _call(
                self._client.v1.checkout.sessions.create_async(
                    _checkout(request, metadata), options
                )
            )
            return _from_checkout(session, request.amount)
        params: Any = {
            "amount": request.amount.minor,
            "currency": request.amount.currency.lower(),
            "capture_method": "manual",
            "payment_method_types": ["card_present"],
            "description": request.description,
            "metadata": metadata,
        }
        intent = await _call(self._client.v1.payment_intents.create_async(params, options))
        if request.reader_id:
            reader_options: Any = {"idempotency_key": idempotency_key + "-reader"}
            process: Any = {"payment_intent": intent["id"]}
            readers = self._client.v1.terminal.readers
            await _call(
                readers.process_payment_intent_async(request.reader_id, process, reader_options)
            )
        return _from_intent(intent)

    async def get_hold(self, provider_ref: str) -> HoldResult:
        if provider_ref.startswith("cs_"):
            params: Any = {"expand": ["payment_intent.latest_charge"]}
            session = await _call(
                self._client.v1.checkout.sessions.retrieve_async(provider_ref, params)
            )
            return _from_checkout(session, None)
        return _from_intent(await self._intent(provider_ref))

    async def capture(
        self, provider_ref: str, amount: Money, *, idempotency_key: str
    ) -> HoldResult:
        params: Any = {"amount_to_capture": amount.minor}
        options: Any = {"idempotency_key": idempotency_key}
        intents = self._client.v1.payment_intents
        return _from_intent(await _call(intents.capture_async(provider_ref, params, options)))

    async def release(self, provider_ref: str, *, idempotency_key: str) -> HoldResult:
        options: Any = {"idempotency_key": idempotency_key}
        if provider_ref.startswith("cs_"):  # the driver never paid: close the hosted page
            sessions = self._client.v1.checkout.sessions
            session = await _call(sessions.expire_async(provider_ref, None, options))
            return _from_checkout(session, None)
        params: Any = {"cancellation_reason": "abandoned"}
        intents = self._client.v1.payment_intents
        return _from_intent(await _call(intents.cancel_async(provider_ref, params, options)))

    async def increment_hold(
        self, provider_ref: str, amount: Money, *, idempotency_key: str
    ) -> HoldResult:
        """C23: Stripe's incremental authorization (card_present intents that support it)."""
        params: Any = {"amount": amount.minor}
        options: Any = {"idempotency_key": idempotency_key}
        intents = self._client.v1.payment_intents
        call = intents.increment_authorization_async(provider_ref, params, options)
        return _from_intent(await _call(call))

    async def recent_holds(self, since: datetime) -> list[HoldResult]:
        params: Any = {"created": {"gte": int(since.timestamp())}, "limit": 100}
        page = await _call(self._client.v1.payment_intents.list_async(params))
        out = []
        while True:
            out += [_from_intent(pi) for pi in page["data"] if pi.get("capture_method") == "manual"]
            if not page.get("has_more") or not page["data"]:
                return out
            params = {**params, "starting_after": page["data"][-1]["id"]}
            page = await _call(self._client.v1.payment_intents.list_async(params))

    async def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent | None:
        lowered = {k.lower(): v for k, v in headers.items()}
        try:
            event = stripe.Webhook.construct_event(
                body, lowered.get("stripe-signature"), self._webhook_secret
            )
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise InvalidWebhook(f"not a valid Stripe notification: {exc}") from exc
        data = event.to_dict()
        kind, obj = data["type"], data["data"]["object"]
        if kind in _PI_EVENTS:
            intent = await self._intent(obj["id"])  # fresh, with the card's details
            return _event(data["id"], _from_intent(intent), intent.get("metadata") or {})
        if kind == "checkout.session.completed" and obj.get("payment_intent"):
            intent = await self._intent(str(obj["payment_intent"]))
            return _event(data["id"], _from_intent(intent), intent.get("metadata") or {})
        if kind == "checkout.session.expired":
            return _event(data["id"], _from_checkout(obj, None), obj.get("metadata") or {})
        return None

    async def _intent(self, intent_id: str) -> dict[str, Any]:
        params: Any = {"expand": ["latest_charge"]}
        return await _call(self._client.v1.payment_intents.retrieve_async(intent_id, params))


async def _call(pending: Any) -> dict[str, Any]:
    """Await a library call; Stripe's errors become the port's two kinds."""
    try:
        result = await pending
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        raise ProviderUnavailable(f"Stripe not reachable: {exc.user_message or exc}") from exc
    except stripe.APIError as exc:  # 5xx: Stripe's side; the same key may be retried
        raise ProviderUnavailable(f"Stripe error: {exc.user_message or exc}") from exc
    except stripe.StripeError as exc:  # 4xx: the request itself is refused
        raise ProviderRejected(exc.user_message or str(exc)) from exc
    converted: dict[str, Any] = result.to_dict()
    return converted


def _checkout(request: HoldRequest, metadata: dict[str, str]) -> Any:
    return {
        "mode": "payment",
        "client_reference_id": request.reference,
        "success_url": request.return_url,
        "cancel_url": request.cancel_url or request.return_url,
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": request.amount.currency.lower(),
                    "unit_amount": request.amount.minor,
                    "product_data": {
                        "name": "EV charging (hold; only the final amount is charged)"
                    },
                },
            }
        ],
        "payment_intent_data": {
            "capture_method": "manual",
            "description": request.description,
            "metadata": metadata,
        },
        "metadata": metadata,
    }


def _from_intent(intent: Mapping[str, Any]) -> HoldResult:
    currency = str(intent["currency"]).upper()
    status = PI_STATUS.get(str(intent["status"]), HoldStatus.PENDING)
    error = intent.get("last_payment_error") or {}
    if status is HoldStatus.PENDING and error:
        status = HoldStatus.DECLINED  # the attempt failed; the hosted page lets them retry
    capturable = int(intent.get("amount_capturable") or 0)
    received = int(intent.get("amount_received") or 0)
    metadata = intent.get("metadata") or {}
    return HoldResult(
        provider_ref=str(intent["id"]),
        status=status,
        amount=Money(int(intent["amount"]), currency),
        authorized=Money(capturable, currency) if status is HoldStatus.AUTHORIZED else None,
        captured=Money(received, currency) if status is HoldStatus.CAPTURED else None,
        card=_card(intent.get("latest_charge")),
        decline_reason=str(error.get("message", "")),
        reference=str(metadata.get("forecourt_payment", "")),
        metadata={str(k): str(v) for k, v in metadata.items()},
    )


def _from_checkout(session: Mapping[str, Any], amount: Money | None) -> HoldResult:
    intent = session.get("payment_intent")
    if isinstance(intent, Mapping):
        return _from_intent(intent)
    currency = str(session.get("currency") or "usd").upper()
    total = Money(int(session.get("amount_total") or 0), currency) if amount is None else amount
    expired = session.get("status") == "expired"
    return HoldResult(
        provider_ref=str(session["id"]),
        status=HoldStatus.CANCELED if expired else HoldStatus.PENDING,
        amount=total,
        redirect_url=str(session.get("url") or ""),
        reference=str(session.get("client_reference_id") or ""),
    )


def _card(charge: Any) -> CardInfo:
    if not isinstance(charge, Mapping):
        return CardInfo()
    details = charge.get("payment_method_details") or {}
    card = details.get("card_present") or details.get("card") or {}
    return CardInfo(str(card.get("brand") or ""), str(card.get("last4") or ""))


def _event(event_id: str, hold: HoldResult, metadata: Mapping[str, Any]) -> ProviderEvent:
    """Holds made by a dispenser's own terminal carry the token the station will use."""
    evse = metadata.get("evse_id")
    return ProviderEvent(
        event_id=event_id,
        hold=hold,
        id_token=str(metadata.get("id_token", "")) if not hold.reference else "",
        station_id=str(metadata.get("station_id", "")),
        evse_id=int(evse) if evse else None,
    )
