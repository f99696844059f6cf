"""Socket-level limits in front of the ASGI app: uvicorn's protocol classes, guarded.

uvicorn holds a socket until its request head is complete, with no deadline and no size limit
(httptools), and never answers a websocket request its parser refuses. Here every socket gets:

- a cap on open sockets per source address (refused with 503 before any parsing);
- a deadline for its request head (closed when it passes; re-armed after each response, so an
  idle or trickling keep-alive connection is closed too);
- a cap on the size of its request head (431);
- a lean permessage-deflate: no context takeover, so an idle station keeps no zlib state
  (~44 KiB each with the default window), while OCPP 2.0.1 Part 4's compression still works.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from asyncio import TimerHandle
from collections import Counter
from dataclasses import dataclass
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.extensions.base import ServerExtensionFactory
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.protocol import Protocol
from websockets.server import ServerProtocol

from forecourt.gateway.admission import EdgeObserver
from forecourt.gateway.lean import LeanEvent, LeanQueue

log = logging.getLogger("forecourt.gateway")
# uvicorn's and websockets' per-handshake INFO lines ("connection rejected", '"WebSocket ..."
# 401') duplicate our one line per refusal; their warnings and errors still show.
_WIRE = logging.getLogger("forecourt.gateway.wire")
if _WIRE.level == logging.NOTSET:
    _WIRE.setLevel(logging.WARNING)

#: Largest request line plus headers accepted (a websocket handshake needs well under 2 KiB).
MAX_REQUEST_HEAD = 16 * 1024


@dataclass(frozen=True, slots=True)
class EdgeLimits:
    request_head_timeout: float
    max_sockets_per_address: int  # 0: no cap
    per_message_deflate: bool


class SocketGuard:
    """Counts open sockets per source address, from accept to close, whatever protocol."""

    def __init__(self, limits: EdgeLimits, observer: EdgeObserver | None = None) -> None:
        self.limits = limits
        self.observer = observer
        self._open: dict[asyncio.BaseTransport, str] = {}
        self._per_address: Counter[str] = Counter()

    def opened(self, transport: asyncio.BaseTransport) -> bool:
        """Track ``transport``; False (and untracked) when its address has too many open."""
        address = _peer_host(transport)
        cap = self.limits.max_sockets_per_address
        if cap and self._per_address[address] >= cap:
            return False
        self._open[transport] = address
        self._per_address[address] += 1
        return True

    def closed(self, transport: asyncio.BaseTransport) -> None:
        """Idempotent: both protocols of an upgraded socket may report it."""
        address = self._open.pop(transport, None)
        if address is not None:
            self._per_address[address] -= 1
            if self._per_address[address] <= 0:
                del self._per_address[address]

    def open_sockets(self, address: str) -> int:
        return self._per_address.get(address, 0)

    def report(self, kind: str, reason: str, peer: object) -> None:
        log.info(
            "socket %s: %s (%s)", "timed out" if kind == "timeout" else "refused", reason, peer
        )
        if self.observer is not None:
            if kind == "timeout":
                self.observer.timed_out(reason)
            else:
                self.observer.refused(reason)


def _peer_host(transport: asyncio.BaseTransport) -> str:
    peer = transport.get_extra_info("peername")
    return str(peer[0]) if isinstance(peer, tuple) and peer else "unknown"


def _lean_deflate() -> list[ServerExtensionFactory]:
    return [
        ServerPerMessageDeflateFactory(
            server_no_context_takeover=True,
            client_no_context_takeover=True,
            server_max_window_bits=12,
            compress_settings={"memLevel": 5},
        )
    ]


class GuardedHttp(HttpToolsProtocol):
    """uvicorn's HTTP protocol with per-address socket caps and a deadline for the request head."""

    guard: ClassVar[SocketGuard]
    _head_timer: TimerHandle | None = None
    _head_bytes = 0
    _head_tail = b""  # the last bytes seen: the blank line may straddle two chunks

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if not self.guard.opened(transport):
            self.guard.report("refusal", "too_many_sockets", self.client)
            _answer(transport, 503, "too many connections from this address")
            return
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self.guard.closed(self.transport)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._head_timer is not None and not self._head_fits(data):
            self._disarm()
            self.guard.report("refusal", "request_head_too_large", self.client)
            _answer(self.transport, 431, "request head too large")
            return
        super().data_received(data)

    def _head_fits(self, data: bytes) -> bool:
        """Count the bytes up to the blank line that ends the head (a body may follow in
        the same chunk), before the parser buffers them."""
        end = (self._head_tail + data).find(b"\r\n\r\n")
        self._head_bytes += len(data) if end < 0 else end + 4 - len(self._head_tail)
        self._head_tail = data[-3:]
        return self._head_bytes <= MAX_REQUEST_HEAD

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request's head is due in time as well

    def _arm(self) -> None:
        self._disarm()
        self._head_bytes, self._head_tail = 0, b""
        self._head_timer = self.loop.call_later(
            self.guard.limits.request_head_timeout, self._head_overdue
        )

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_overdue(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.guard.report("timeout", "request_head", self.client)
            self.transport.close()


class GuardedWebSocket(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O websocket protocol, lean: no kept handshake, refusals answered."""

    guard: ClassVar[SocketGuard]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.logger = _WIRE
        self.conn = ServerProtocol(
            extensions=_lean_deflate() if self.guard.limits.per_message_deflate else [],
            max_size=self.config.ws_max_size,
            logger=_WIRE,
        )
        # an idle connection holds these for its lifetime: without asyncio's up-front deques
        self.queue = LeanQueue()  # type: ignore[assignment]
        self.writable = LeanEvent()  # type: ignore[assignment]
        self.writable.set()

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.closed(self.transport)
        super().connection_lost(exc)

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:  # accepted for the app: it decides on the client certificate
            scope["extensions"]["tls"] = {"client_cert_chain": _client_chain(self.transport)}

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.handshake_initiated or self.conn.handshake_exc is None:
            return
        # websockets refused the request head (line too long, bad header) and queued its
        # answer, which uvicorn never sends: send it and close instead of holding the socket
        self.guard.report("refusal", "bad_handshake_request", self.client)
        self.transport.write(b"".join(self.conn.data_to_send()))
        self.close_sent = self.handshake_complete = True
        self.transport.close()

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            # the handshake's request and response (headers, the station's password) are
            # never needed again: do not keep them for the connection's lifetime
            del self.request, self.response
            _restart_frame_parser(self.conn)
        elif message["type"] == "websocket.http.response.body" and not message.get("more_body"):
            # a refusal is a complete handshake: else uvicorn logs an ERROR for each one
            self.handshake_complete = True


def _restart_frame_parser(conn: ServerProtocol) -> None:
    """websockets' handshake parser goes on parsing frames in the same generator, which keeps
    the parsed request (its headers, the station's password) as a local for the connection's
    lifetime. A client sends no frame before the server's 101 (RFC 6455 §4.1), so at the
    accept the frame parser can restart without it: nothing is half-read."""
    conn.parser = Protocol.parse(conn)
    next(conn.parser)


def _client_chain(transport: asyncio.BaseTransport) -> list[str]:
    """The ASGI TLS extension's ``client_cert_chain`` (PEM): the leaf the station presented
    and TLS verified against the client CA bundle (empty without TLS or a certificate)."""
    tls_object = transport.get_extra_info("ssl_object")
    der = tls_object.getpeercert(binary_form=True) if tls_object is not None else None
    return [ssl.DER_cert_to_PEM_cert(der)] if der else []


def edge_protocols(guard: SocketGuard) -> tuple[type[asyncio.Protocol], type[asyncio.Protocol]]:
    """(HTTP protocol, websocket protocol) classes for ``uvicorn.Config(http=..., ws=...)``,
    bound to ``guard`` (uvicorn builds one instance per connection from a class)."""
    http = type("GuardedHttp", (GuardedHttp,), {"guard": guard})
    websocket = type("GuardedWebSocket", (GuardedWebSocket,), {"guard": guard})
    return http, websocket


def _answer(transport: asyncio.Transport, status: int, text: str) -> None:
    reason = {431: "Request Header Fields Too Large", 503: "Service Unavailable"}[status]
    body = text.encode()
    transport.write(
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode()
        + body
    )
    transport.close()
