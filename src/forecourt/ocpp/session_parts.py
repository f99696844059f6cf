"""The small pieces an ``OcppSession`` is made of: what it needs from its surroundings
(a transport, a handler, an observer) and the records it keeps per CALL."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from forecourt.ocpp.frames import Call, CallError, CallResult

INBOUND = "inbound"
OUTBOUND = "outbound"
# Metrics label for actions no schema knows: keeps label cardinality bounded.
UNKNOWN_ACTION = "unknown"
Handler = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


class Transport(Protocol):
    """Sends one websocket text frame (the gateway's side of the connection)."""

    async def send_text(self, text: str) -> None: ...


class SessionObserver(Protocol):
    """Metrics/logging hook, so this package stays free of prometheus.

    direction is "inbound" or "outbound"; outcome is "ok", "replayed", an ErrorKind value
    (inbound) or an OutboundCallError outcome (outbound).
    """

    def message(self, action: str, direction: str, outcome: str, seconds: float) -> None: ...


@dataclass(slots=True)
class Pending:
    message_id: str
    action: str
    future: asyncio.Future[CallResult | CallError]


@dataclass(frozen=True, slots=True)
class InboundCall:
    call: Call
    # A digest of the payload as received, before validation may canonicalise it (quirks).
    fingerprint: bytes


@dataclass(frozen=True, slots=True)
class Answered:
    action: str
    fingerprint: bytes
    reply: str


def payload_fingerprint(payload: dict[str, Any]) -> bytes:
    # A digest, not the JSON itself: every bytes object from orjson.dumps holds a ~4 KiB
    # buffer, and the replay cache keeps one per answered CALL of every station.
    canonical = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(canonical, digest_size=16).digest()
