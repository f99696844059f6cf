"""A deterministic payment provider for the demo and the tests — no network, no real money.

Cards decide the outcome (like a real provider's test cards):

=====================  =========================================
card number            outcome
=====================  =========================================
4242 4242 4242 4242    approved (Visa)
5555 5555 5555 4444    approved (Mastercard)
4000 0000 0000 0036    partially approved: half the requested hold
4000 0000 0000 0002    declined: "Your card was declined."
4000 0000 0000 9995    declined: "Your card has insufficient funds."
4000 0000 0000 0069    declined: "Your card has expired."
4000 0000 0000 0119    the provider does not answer (timeout)
4000 0000 0000 0341    approved, but every increase of the hold is declined (C23)
=====================  =========================================

It is also a server-to-server card terminal (``CardTerminal``: authenticate, trigger the
transaction, settle): ``tap(terminal_id, card)`` says which card the next customer presents
at that terminal (4242 4242 4242 4242 when nobody said).

Faults for tests and drills (``FORECOURT_TEST_PROVIDER_FAULTS``, e.g. ``capture=down*2``):
``down`` answers nothing (ProviderUnavailable) without acting; ``lost`` acts, then the answer
is lost (ProviderUnavailable); ``hang`` acts, then never answers (a crash in the middle).
``*N`` limits a fault to the next N calls. Operations: hold, capture, release, get, increment.

Holds live in memory, or in a JSON file (``state_file``) so they outlive a restart the way a
real provider's do. Every money-moving call is idempotent by its key.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from forecourt.domain.money import Money
from forecourt.payments.domain.payments import (
    CardInfo,
    HoldStatus,
    InvalidWebhook,
    PaymentFlow,
    ProviderRejected,
    ProviderUnavailable,
)
from forecourt.payments.ports import HoldRequest, HoldResult, ProviderEvent, TerminalRequest

SIGNATURE_HEADER = "forecourt-test-signature"
SIGNATURE_TOLERANCE_S = 300

#: card number -> (approved share of the hold, brand, decline message)
CARDS: dict[str, tuple[float, str, str]] = {
    "4242424242424242": (1.0, "visa", ""),
    "5555555555554444": (1.0, "mastercard", ""),
    "4000000000000036": (0.5, "visa", ""),
    "4000000000000002": (0.0, "visa", "Your card was declined."),
    "4000000000009995": (0.0, "visa", "Your card has insufficient funds."),
    "4000000000000069": (0.0, "visa", "Your card has expired."),
}
TIMEOUT_CARD = "4000000000000119"
NO_INCREMENT_CARD = "4000000000000341"
DEFAULT_CARD = "4242424242424242"


@dataclass
class _Hold:
    ref: str
    amount: int
    currency: str
    flow: str
    reference: str = ""
    status: str = HoldStatus.PENDING.value
    authorized: int = 0
    captured: int = 0
    brand: str = ""
    last4: str = ""
    decline_reason: str = ""
    created_at: float = field(default_factory=time.time)
    captures_applied: int = 0  # how many times money was actually taken (tests: must be <= 1)
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class _Fault:
    mode: str  # down | lost | hang
    remaining: int | None = None  # None: every call


def parse_faults(text: str) -> dict[str, _Fault]:
    """``"capture=lost, hold=down*2"`` -> faults by operation."""
    faults: dict[str, _Fault] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        operation, _, spec = item.partition("=")
        mode, _, count = spec.partition("*")
        if mode not in ("down", "lost", "hang") or operation not in (
            "hold",
            "capture",
            "release",
            "get",
            "increment",
        ):
            raise ValueError(f"bad test provider fault {item!r} (e.g. capture=down*2)")
        faults[operation] = _Fault(mode, int(count) if count else None)
    return faults


class TestProvider:
    """The built-in provider (``FORECOURT_PAYMENT_PROVIDER=test``)."""

    __test__ = False  # not a pytest test class
    name = "test"

    def __init__(
        self,
        *,
        webhook_secret: str = "whsec_forecourt_test",
        public_url: str = "http://127.0.0.1:9000",
        state_file: Path | None = None,
        faults: str = "",
    ) -> None:
        self.webhook_secret = webhook_secret
        self.public_url = public_url.rstrip("/")
        self.faults = parse_faults(faults)
        self._file = state_file
        self._holds: dict[str, _Hold] = {}
        self._answers: dict[str, dict[str, Any]] = {}  # idempotency key -> first answer
        self.hung: list[asyncio.Task[Any]] = []  # calls stuck in a "hang" fault
        self._taps: dict[str, str] = {}  # terminal id -> the card its next customer presents
        # (operation, idempotency key) of every call, in order: tests prove retries reuse a key
        self.calls: list[tuple[str, str]] = []
        self._load()

    # -- the port ------------------------------------------------------------------------------
    async def create_hold(self, request: HoldRequest, *, idempotency_key: str) -> HoldResult:
        ref = "tph_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]

        def act() -> _Hold:
            if ref not in self._holds:
                self._holds[ref] = _Hold(
                    ref,
                    request.amount.minor,
                    request.amount.currency,
                    request.flow.value,
                    request.reference,
                    metadata=dict(request.metadata),
                )
            return self._holds[ref]

        return await self._run("hold", idempotency_key, act)

    async def get_hold(self, provider_ref: str) -> HoldResult:
        return await self._run("get", "", lambda: self._hold(provider_ref))

    async def capture(
        self, provider_ref: str, amount: Money, *, idempotency_key: str
    ) -> HoldResult:
        def act() -> _Hold:
            hold = self._hold(provider_ref)
            if hold.status != HoldStatus.AUTHORIZED.value:
                raise ProviderRejected(f"hold {provider_ref} is {hold.status}, not authorized")
            if amount.minor > hold.authorized or amount.currency != hold.currency:
                raise ProviderRejected(f"cannot capture {amount} of a {hold.authorized} hold")
            hold.status, hold.captured = HoldStatus.CAPTURED.value, amount.minor
            hold.captures_applied += 1
            return hold

        return await self._run("capture", idempotency_key, act)

    async def release(self, provider_ref: str, *, idempotency_key: str) -> HoldResult:
        def act() -> _Hold:
            hold = self._hold(provider_ref)
            if hold.status == HoldStatus.CAPTURED.value:
                raise ProviderRejected(f"hold {provider_ref} was captured; refund it instead")
            hold.status = HoldStatus.CANCELED.value
            return hold

        return await self._run("release", idempotency_key, act)

    async def increment_hold(
        self, provider_ref: str, amount: Money, *, idempotency_key: str
    ) -> HoldResult:
        def act() -> _Hold:
            hold = self._hold(provider_ref)
            if hold.status != HoldStatus.AUTHORIZED.value or amount.currency != hold.currency:
                raise ProviderRejected(f"hold {provider_ref} is {hold.status}; cannot increase")
            if hold.last4 == NO_INCREMENT_CARD[-4:]:
                raise ProviderRejected("The card issuer declined the increase.")
            hold.amount = hold.authorized = max(amount.minor, hold.authorized)
            return hold

        return await self._run("increment", idempotency_key, act)

    # -- the card terminal port ----------------------------------------------------------------
    async def start_authentication(
        self, request: TerminalRequest, *, idempotency_key: str
    ) -> HoldResult:
        ref = "tpt_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]
        card = self._taps.pop(request.terminal_id, DEFAULT_CARD)

        def act() -> _Hold:
            hold = self._holds.setdefault(
                ref,
                _Hold(
                    ref,
                    request.amount.minor,
                    request.amount.currency,
                    "terminal",
                    request.reference,
                    metadata={"terminal_id": request.terminal_id},
                ),
            )
            if card == TIMEOUT_CARD:
                raise ProviderUnavailable("the card network did not answer")
            if hold.status == HoldStatus.PENDING.value:
                _authorize(hold, card)
            return hold

        return await self._run("hold", idempotency_key, act)

    async def trigger_transaction(
        self, terminal_ref: str, session_ref: str, *, idempotency_key: str
    ) -> HoldResult:
        def act() -> _Hold:
            hold = self._hold(terminal_ref)
            if hold.status != HoldStatus.AUTHORIZED.value:
                raise ProviderRejected(f"authentication {terminal_ref} is {hold.status}")
            hold.metadata["session"] = session_ref
            return hold

        return await self._run("get", idempotency_key, act)

    async def settle(self, terminal_ref: str, amount: Money, *, idempotency_key: str) -> HoldResult:
        if amount.minor == 0:
            return await self.release(terminal_ref, idempotency_key=idempotency_key)
        return await self.capture(terminal_ref, amount, idempotency_key=idempotency_key)

    async def get_authentication(self, terminal_ref: str) -> HoldResult:
        return await self.get_hold(terminal_ref)

    def tap(self, terminal_id: str, card_number: str) -> None:
        """The next customer at ``terminal_id`` presents this card."""
        self._taps[terminal_id] = "".join(c for c in card_number if c.isdigit())

    async def recent_holds(self, since: datetime) -> list[HoldResult]:
        cutoff = since.timestamp()
        return [_result(h, self.public_url) for h in self._holds.values() if h.created_at >= cutoff]

    async def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent | None:
        self._verify(body, {k.lower(): v for k, v in headers.items()})
        try:
            event = json.loads(body)
            hold = self._hold(event["hold"])
        except (ValueError, KeyError, ProviderRejected) as exc:
            raise InvalidWebhook(f"not a test provider event: {exc}") from exc
        meta = hold.metadata
        evse = meta.get("evse_id")
        return ProviderEvent(
            event_id=str(event["id"]),
            hold=_result(hold, self.public_url),
            id_token=meta.get("terminal_id_token", ""),
            station_id=meta.get("station_id", ""),
            evse_id=int(evse) if evse else None,
        )

    # -- what a driver or a terminal does at the provider ------------------------------------------
    def present_card(self, provider_ref: str, card_number: str) -> HoldResult:
        """The driver submits the hosted card form (or taps a reader): the hold is decided."""
        fault = self.faults.get("hold")
        number = "".join(c for c in card_number if c.isdigit())
        if number == TIMEOUT_CARD or (fault is not None and fault.mode == "down"):
            raise ProviderUnavailable("the card network did not answer")
        hold = self._hold(provider_ref)
        if hold.status == HoldStatus.PENDING.value:
            _authorize(hold, number)
            self._save()
        return _result(hold, self.public_url)

    def terminal_authorize(
        self,
        *,
        station_id: str,
        evse_id: int,
        id_token: str,
        amount: Money,
        card_number: str = "4242424242424242",
    ) -> tuple[bytes, dict[str, str]]:
        """A dispenser's terminal pre-authorises a card: returns the signed webhook the
        provider then sends to Forecourt (body, headers)."""
        ref = (
            "tph_term_"
            + hashlib.sha256(f"{station_id}|{evse_id}|{id_token}".encode()).hexdigest()[:16]
        )
        meta = {"station_id": station_id, "evse_id": str(evse_id), "terminal_id_token": id_token}
        hold = self._holds.setdefault(
            ref,
            _Hold(
                ref,
                amount.minor,
                amount.currency,
                PaymentFlow.DISPENSER_TERMINAL.value,
                metadata=meta,
            ),
        )
        if hold.status == HoldStatus.PENDING.value:
            _authorize(hold, "".join(c for c in card_number if c.isdigit()))
        self._save()
        return self.webhook_for(ref)

    def webhook_for(self, provider_ref: str) -> tuple[bytes, dict[str, str]]:
        """The signed notification about one hold's current state."""
        hold = self._hold(provider_ref)
        event_id = f"evt_{provider_ref}_{hold.status}"
        body = json.dumps({"id": event_id, "hold": provider_ref, "status": hold.status}).encode()
        return body, {SIGNATURE_HEADER: self.signature(body)}

    def signature(self, body: bytes, at: int | None = None) -> str:
        stamp = int(time.time()) if at is None else at
        digest = hmac.new(self.webhook_secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
        return f"t={stamp},v1={digest.hexdigest()}"

    def captures_applied(self, provider_ref: str) -> int:
        self._load()
        return self._hold(provider_ref).captures_applied

    def holds(self) -> list[HoldResult]:
        self._load()
        return [_result(h, self.public_url) for h in self._holds.values()]

    # -- machinery --------------------------------------------------------------------------------
    async def _run(self, operation: str, key: str, act: Any) -> HoldResult:
        await asyncio.sleep(0)  # a provider call is a suspension point, like a real one
        self.calls.append((operation, key))
        if key and key in self._answers:
            return _result(_Hold(**self._answers[key]), self.public_url)
        fault = self._take_fault(operation)
        if fault == "down":
            raise ProviderUnavailable(f"test provider: {operation} timed out (fault)")
        hold: _Hold = act()
        if key:
            self._answers[key] = asdict(hold)
        self._save()
        if fault == "lost":
            raise ProviderUnavailable(f"test provider: {operation} answer lost (fault)")
        if fault == "hang":  # acted, never answers: the caller dies waiting (crash drills)
            task = asyncio.current_task()
            if task is not None:
                self.hung.append(task)
            await asyncio.Event().wait()
        return _result(hold, self.public_url)

    def _take_fault(self, operation: str) -> str | None:
        fault = self.faults.get(operation)
        if fault is None:
            return None
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining <= 0:
                del self.faults[operation]
        return fault.mode

    def _hold(self, ref: str) -> _Hold:
        hold = self._holds.get(ref)
        if hold is None:
            raise ProviderRejected(f"no such hold {ref!r}")
        return hold

    def _verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        parts = dict(
            p.split("=", 1) for p in headers.get(SIGNATURE_HEADER, "").split(",") if "=" in p
        )
        try:
            stamp = int(parts["t"])
        except (KeyError, ValueError):
            raise InvalidWebhook("missing or malformed signature header") from None
        expected = self.signature(body, stamp).split("v1=")[1]
        if not hmac.compare_digest(expected, parts.get("v1", "")):
            raise InvalidWebhook("bad signature")
        if abs(time.time() - stamp) > SIGNATURE_TOLERANCE_S:
            raise InvalidWebhook("signature too old (replayed notification?)")

    def _load(self) -> None:
        if self._file is None or not self._file.exists():
            return
        data = json.loads(self._file.read_text())
        self._holds = {ref: _Hold(**h) for ref, h in data["holds"].items()}
        self._answers = data["answers"]

    def _save(self) -> None:
        if self._file is None:
            return
        data = {"holds": {r: asdict(h) for r, h in self._holds.items()}, "answers": self._answers}
        temporary = self._file.with_suffix(".tmp")
        temporary.write_text(json.dumps(data))
        os.replace(temporary, self._file)  # atomic: a crash leaves the old or the new state


def _authorize(hold: _Hold, number: str) -> None:
    share, brand, decline = CARDS.get(number, (1.0, "visa", ""))
    hold.brand, hold.last4 = brand, number[-4:]
    if share <= 0:
        hold.status, hold.decline_reason = HoldStatus.DECLINED.value, decline
        return
    hold.authorized = int(hold.amount * share)
    hold.status = HoldStatus.AUTHORIZED.value


def _result(hold: _Hold, public_url: str) -> HoldResult:
    def money(minor: int) -> Money:
        return Money(minor, hold.currency)

    status = HoldStatus(hold.status)
    hosted = hold.flow == PaymentFlow.SCAN_TO_PAY.value and status is HoldStatus.PENDING
    return HoldResult(
        provider_ref=hold.ref,
        status=status,
        amount=money(hold.amount),
        authorized=money(hold.authorized) if hold.authorized else None,
        captured=money(hold.captured) if hold.captured else None,
        card=CardInfo(hold.brand, hold.last4),
        redirect_url=f"{public_url}/pay/test-provider/{hold.ref}" if hosted else "",
        decline_reason=hold.decline_reason,
        reference=hold.reference,
        metadata=dict(hold.metadata),
    )
