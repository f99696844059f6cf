"""The OCPP websocket endpoint at ``/ocpp/{station_id}`` on the same ASGI app as the API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from starlette.responses import Response
from starlette.websockets import WebSocket, WebSocketDisconnect

from forecourt.domain.stations import RegistrationStatus
from forecourt.gateway.handshake import choose_subprotocol, parse_basic_auth
from forecourt.gateway.registry import Connection, ConnectionRegistry
from forecourt.ocpp.adapter import Link, VersionAdapter, dispatcher
from forecourt.ocpp.quirks import Quirks, quirks_for
from forecourt.ocpp.session import OcppSession, SessionObserver
from forecourt.services.core import CoreServices
from forecourt.services.provisioning import Admission, Refusal

log = logging.getLogger("forecourt.gateway")

#: HTTP status of a refused handshake; anything else is 401 (with a Basic challenge).
_REFUSAL_STATUS = {Refusal.INVALID_ID: 400, Refusal.PENDING_FULL: 503}


class GatewayObserver(SessionObserver, Protocol):
    """Metrics hook for the edge: session traffic plus refused registrations."""

    def registration_refused(self, reason: str) -> None: ...


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    protocols: tuple[str, ...]  # preference order
    call_timeout: float
    max_concurrent_handshakes: int
    handler_timeout: float = 60.0


class _SocketTransport:
    """Serialises sends: responses and our own calls may be written from different tasks."""

    def __init__(self, websocket: WebSocket) -> None:
        self._websocket = websocket
        self._lock = asyncio.Lock()

    async def send_text(self, text: str) -> None:
        async with self._lock:
            await self._websocket.send_text(text)


class OcppEndpoint:
    def __init__(
        self,
        core: CoreServices,
        adapters: Mapping[str, VersionAdapter],
        registry: ConnectionRegistry,
        config: GatewayConfig,
        observer: GatewayObserver | None = None,
    ) -> None:
        self._core = core
        self._adapters = adapters
        self._registry = registry
        self._config = config
        self._observer = observer
        # Admission control: a reconnect storm queues here instead of exhausting the database.
        self._handshakes = asyncio.Semaphore(config.max_concurrent_handshakes)

    async def __call__(self, websocket: WebSocket) -> None:
        station_id = websocket.path_params["station_id"]
        async with self._handshakes:
            admitted = await self._handshake(websocket, station_id)
        if admitted is not None:
            await self._serve(websocket, station_id, *admitted)

    async def _handshake(
        self, websocket: WebSocket, station_id: str
    ) -> tuple[VersionAdapter, Admission] | None:
        credentials = parse_basic_auth(websocket.headers.get("authorization"))
        if credentials is not None and credentials.username != station_id:
            await self._refuse(websocket, station_id, 401, "username is not the station id")
            return None
        password = credentials.password if credentials else None
        admission = await self._core.provisioning.admit(station_id, password)
        if not admission.allowed:
            status = _REFUSAL_STATUS.get(admission.refusal, 401)
            if admission.refusal is not Refusal.UNAUTHORIZED and self._observer is not None:
                self._observer.registration_refused(admission.refusal.value)
            await self._refuse(websocket, station_id, status, admission.reason)
            return None
        quirks = quirks_for(admission.vendor, admission.model)
        offered = list(websocket.scope.get("subprotocols", []))
        protocol = choose_subprotocol(offered, self._config.protocols)
        if protocol is None and not offered and quirks.allow_missing_subprotocol:
            protocol = "ocpp1.6"  # quirk: legacy firmware that sends no Sec-WebSocket-Protocol
        if protocol is None:
            await self._refuse(websocket, station_id, 400, f"no supported subprotocol in {offered}")
            return None
        await websocket.accept(subprotocol=protocol if offered else None)
        return self._adapters[protocol], admission

    async def _refuse(
        self, websocket: WebSocket, station_id: str, status: int, reason: str
    ) -> None:
        log.warning("handshake refused: %s", reason, extra={"station_id": station_id})
        headers = {"WWW-Authenticate": 'Basic realm="forecourt"'} if status == 401 else {}
        try:
            await websocket.send_denial_response(Response(status_code=status, headers=headers))
        except RuntimeError:  # server without the denial-response extension
            await websocket.close(code=1008)

    async def _serve(
        self, websocket: WebSocket, station_id: str, adapter: VersionAdapter, admission: Admission
    ) -> None:
        quirks = quirks_for(admission.vendor, admission.model)
        connection = self._connect(websocket, station_id, adapter, admission.registration, quirks)
        await self._registry.register(connection)
        await self._core.provisioning.connected(station_id, adapter.protocol)
        reason = "closed by station"
        try:
            await self._pump(websocket, connection.session)
        except Exception:
            reason = "error"
            log.exception("connection failed", extra={"station_id": station_id})
        finally:
            connection.session.close()
            if self._registry.unregister(connection):
                await self._core.provisioning.disconnected(station_id, reason)

    def _connect(
        self,
        websocket: WebSocket,
        station_id: str,
        adapter: VersionAdapter,
        registration: RegistrationStatus | None,
        quirks: Quirks,
    ) -> Connection:
        link = Link(station_id, self._core, registration, quirks)
        session = OcppSession(
            adapter.version,
            _SocketTransport(websocket),
            dispatcher(adapter, link),
            call_timeout=quirks.call_timeout or self._config.call_timeout,
            # a stuck handler must not stall the station's queue forever
            handler_timeout=self._config.handler_timeout,
            observer=self._observer,
            station_id=station_id,
        )
        session.use_quirks(quirks)
        link.on_quirks = session.use_quirks

        async def close(code: int, reason: str) -> None:
            with contextlib.suppress(RuntimeError):  # already closed
                await websocket.close(code=code, reason=reason)

        return Connection(station_id, session, adapter, link, close)

    @staticmethod
    async def _pump(websocket: WebSocket, session: OcppSession) -> None:
        while True:
            try:
                message = await websocket.receive()
            except (WebSocketDisconnect, RuntimeError):
                return
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            await session.receive(text if text is not None else message.get("bytes") or b"")
