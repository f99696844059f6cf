"""A local stand-in for the Stripe API on 127.0.0.1, speaking Stripe's documented shapes:
form-encoded requests, JSON objects (``payment_intent``, ``checkout.session``,
``terminal.reader``), ``Idempotency-Key`` replay, error objects, signed webhook events.

Only what Forecourt uses is implemented. ``/_test/...`` routes play the driver's card.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.server import free_port

SECRET = "whsec_fake_stripe_test"
API_KEY = "sk_test_fake"


def sign(body: bytes, secret: str = SECRET, at: int | None = None) -> str:
    stamp = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def _error(status: int, kind: str, message: str, code: str = "") -> JSONResponse:
    return JSONResponse({"error": {"type": kind, "message": message, "code": code}}, status)


@dataclass
class FakeStripe:
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    charges: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str], dict[str, str]]] = field(default_factory=list)
    replies: dict[str, tuple[str, JSONResponse]] = field(default_factory=dict)  # idempotency
    fail_next: list[int] = field(default_factory=list)  # HTTP statuses to answer next
    captures_applied: int = 0
    ids: Any = field(default_factory=lambda: itertools.count(1))
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- plumbing ---------------------------------------------------------------------------------
    async def handle(self, request: Request) -> JSONResponse:
        form = {k: str(v) for k, v in (await request.form()).items()}
        params = {**dict(request.query_params), **form}
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.requests.append((request.method, request.url.path, params, headers))
        if headers.get("authorization") != f"Bearer {API_KEY}":
            return _error(401, "invalid_request_error", "Invalid API Key provided")
        if self.fail_next:
            return _error(self.fail_next.pop(0), "api_error", "Something went wrong")
        key = headers.get("idempotency-key")
        fingerprint = json.dumps([request.url.path, params], sort_keys=True)
        if key and key in self.replies:
            seen, reply = self.replies[key]
            if seen != fingerprint:
                return _error(
                    400,
                    "idempotency_error",
                    "Keys for idempotent requests can only be used with the same parameters",
                )
            return reply
        reply = self.route(request.method, request.url.path, params)
        if key and request.method == "POST":
            self.replies[key] = (fingerprint, reply)
        return reply

    def route(self, method: str, path: str, p: dict[str, str]) -> JSONResponse:
        parts = path.strip("/").split("/")
        match (method, parts):
            case ("POST", ["v1", "payment_intents"]):
                return JSONResponse(self.create_intent(p))
            case ("GET", ["v1", "payment_intents"]):
                return JSONResponse(self.list_intents(p))
            case ("GET", ["v1", "payment_intents", pi]):
                return self.get_intent(pi, p)
            case ("POST", ["v1", "payment_intents", pi, "capture"]):
                return self.capture(pi, p)
            case ("POST", ["v1", "payment_intents", pi, "cancel"]):
                return self.cancel(pi)
            case ("POST", ["v1", "checkout", "sessions"]):
                return JSONResponse(self.create_session(p))
            case ("GET", ["v1", "checkout", "sessions", cs]):
                return JSONResponse(self.view_session(cs, p))
            case ("POST", ["v1", "checkout", "sessions", cs, "expire"]):
                self.sessions[cs]["status"] = "expired"
                return JSONResponse(self.sessions[cs])
            case ("POST", ["v1", "terminal", "readers", reader, "process_payment_intent"]):
                action = {
                    "type": "process_payment_intent",
                    "status": "in_progress",
                    "process_payment_intent": {"payment_intent": p["payment_intent"]},
                }
                return JSONResponse({"id": reader, "object": "terminal.reader", "action": action})
        return _error(404, "invalid_request_error", f"Unrecognized request URL ({method}: {path})")

    # -- objects ----------------------------------------------------------------------------------
    def create_intent(self, p: dict[str, str]) -> dict[str, Any]:
        pi = f"pi_{next(self.ids):06d}"
        self.intents[pi] = {
            "id": pi,
            "object": "payment_intent",
            "amount": int(p["amount"]),
            "amount_capturable": 0,
            "amount_received": 0,
            "currency": p["currency"],
            "capture_method": p.get("capture_method", "automatic"),
            "payment_method_types": [
                v for k, v in p.items() if k.startswith("payment_method_types")
            ],
            "status": "requires_payment_method",
            "metadata": _nested(p, "metadata"),
            "latest_charge": None,
            "last_payment_error": None,
            "created": int(time.time()),
            "description": p.get("description"),
        }
        return self.intents[pi]

    def get_intent(self, pi: str, p: dict[str, str]) -> JSONResponse:
        if pi not in self.intents:
            return _error(
                404, "invalid_request_error", f"No such payment_intent: '{pi}'", "resource_missing"
            )
        return JSONResponse(self._expanded(pi, "latest_charge" in p.values()))

    def _expanded(self, pi: str, charge: bool) -> dict[str, Any]:
        intent = dict(self.intents[pi])
        if charge and intent["latest_charge"]:
            intent["latest_charge"] = self.charges[intent["latest_charge"]]
        return intent

    def list_intents(self, p: dict[str, str]) -> dict[str, Any]:
        since = int(p.get("created[gte]", 0))
        items = [i for i in self.intents.values() if i["created"] >= since]
        if "starting_after" in p:
            after = [i["id"] for i in items].index(p["starting_after"]) + 1
            items = items[after:]
        limit = int(p.get("limit", 10))
        return {
            "object": "list",
            "data": items[:limit],
            "has_more": len(items) > limit,
            "url": "/v1/payment_intents",
        }

    def capture(self, pi: str, p: dict[str, str]) -> JSONResponse:
        intent = self.intents[pi]
        if intent["status"] != "requires_capture":
            return _error(
                400,
                "invalid_request_error",
                "This PaymentIntent could not be captured because it has a status of "
                f"{intent['status']}.",
                "payment_intent_unexpected_state",
            )
        amount = int(p.get("amount_to_capture", intent["amount_capturable"]))
        if amount > intent["amount_capturable"]:
            return _error(
                400, "invalid_request_error", "amount_to_capture is too large", "amount_too_large"
            )
        intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
        self.captures_applied += 1
        return JSONResponse(intent)

    def cancel(self, pi: str) -> JSONResponse:
        intent = self.intents[pi]
        if intent["status"] == "succeeded":
            return _error(
                400,
                "invalid_request_error",
                "You cannot cancel this PaymentIntent because it has a status of succeeded.",
                "payment_intent_unexpected_state",
            )
        intent.update(status="canceled", amount_capturable=0)
        return JSONResponse(intent)

    def create_session(self, p: dict[str, str]) -> dict[str, Any]:
        cs = f"cs_test_{next(self.ids):06d}"
        self.sessions[cs] = {
            "id": cs,
            "object": "checkout.session",
            "mode": p["mode"],
            "status": "open",
            "url": f"{self.url}/pay/{cs}",
            "client_reference_id": p.get("client_reference_id"),
            "amount_total": int(p["line_items[0][price_data][unit_amount]"]),
            "currency": p["line_items[0][price_data][currency]"],
            "payment_intent": None,
            "metadata": _nested(p, "metadata"),
            "success_url": p["success_url"],
            "capture_method": p.get("payment_intent_data[capture_method]"),
            "pi_metadata": _nested(p, "payment_intent_data[metadata]"),
        }
        return self.sessions[cs]

    def view_session(self, cs: str, p: dict[str, str]) -> dict[str, Any]:
        session = dict(self.sessions[cs])
        if session["payment_intent"] and any("payment_intent" in v for v in p.values()):
            session["payment_intent"] = self._expanded(session["payment_intent"], True)
        return session

    # -- the driver and the card network ---------------------------------------------------------
    def pay(self, ref: str, last4: str = "4242", present: bool = False) -> dict[str, Any]:
        """The card is approved for the full amount (Checkout page or a reader tap)."""
        if ref.startswith("cs_"):
            session = self.sessions[ref]
            intent = self.create_intent(
                {
                    "amount": str(session["amount_total"]),
                    "currency": session["currency"],
                    "capture_method": session["capture_method"] or "automatic",
                    **{f"metadata[{k}]": v for k, v in session["pi_metadata"].items()},
                }
            )
            session.update(status="complete", payment_intent=intent["id"])
            ref = intent["id"]
        intent = self.intents[ref]
        charge = f"ch_{next(self.ids):06d}"
        kind = "card_present" if present else "card"
        self.charges[charge] = {
            "id": charge,
            "object": "charge",
            "payment_method_details": {"type": kind, kind: {"brand": "visa", "last4": last4}},
        }
        intent.update(
            status="requires_capture", amount_capturable=intent["amount"], latest_charge=charge
        )
        return intent

    def event(self, kind: str, obj: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(
            {
                "id": f"evt_{next(self.ids):06d}",
                "object": "event",
                "type": kind,
                "api_version": "2026-10-28.endive",
                "created": int(time.time()),
                "livemode": False,
                "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None},
                "data": {"object": obj},
            }
        ).encode()
        return body, {"Stripe-Signature": sign(body), "Content-Type": "application/json"}

    async def deliver(self, webhook_url: str, kind: str, obj: dict[str, Any]) -> httpx.Response:
        body, headers = self.event(kind, obj)
        async with httpx.AsyncClient() as client:
            return await client.post(webhook_url, content=body, headers=headers)


def _nested(p: dict[str, str], name: str) -> dict[str, str]:
    prefix = name + "["
    return {
        k[len(prefix) : -1]: v
        for k, v in p.items()
        if k.startswith(prefix) and k.count("[") == name.count("[") + 1
    }


@asynccontextmanager
async def fake_stripe() -> AsyncIterator[FakeStripe]:
    fake = FakeStripe(port=free_port())
    methods = ["GET", "POST", "DELETE"]
    app = Starlette(routes=[Route("/{path:path}", fake.handle, methods=methods)])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=fake.port, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
        await asyncio.sleep(0.01)
    try:
        yield fake
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
