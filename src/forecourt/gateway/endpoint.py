"""The OCPP websocket endpoint at ``/ocpp/{station_id}`` on the same ASGI app as the API."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from starlette.responses import Response
from starlette.websockets import WebSocket, WebSocketDisconnect

from forecourt.domain.events import StationEventKind
from forecourt.domain.stations import RegistrationStatus
from forecourt.gateway.admission import (
    AdmissionPolicy,
    EdgeObserver,
    HandshakeSlots,
    Refusal,
    StationAdmission,
)
from forecourt.gateway.handshake import choose_subprotocol, client_certificate, parse_basic_auth
from forecourt.gateway.registry import Connection, ConnectionRegistry
from forecourt.ocpp.adapter import Link, VersionAdapter, dispatcher
from forecourt.ocpp.deferred_connect import DeferredConnect
from forecourt.ocpp.quirks import Quirks, quirks_for
from forecourt.ocpp.session import OcppSession, SessionObserver
from forecourt.ports.station_certificates import CertificateAdmission, Verdict
from forecourt.services.core import CoreServices
from forecourt.services.provisioning import Admission, Connecting
from forecourt.services.provisioning import Refusal as Unadmitted

log = logging.getLogger("forecourt.gateway")

#: HTTP status of a refused handshake; anything else is 401 (with a Basic challenge).
_REFUSAL_STATUS = {Unadmitted.INVALID_ID: 400, Unadmitted.PENDING_FULL: 503}


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    protocols: tuple[str, ...]  # preference order
    call_timeout: float
    max_concurrent_handshakes: int
    handler_timeout: float = 60.0
    max_queued_handshakes: int = 500
    max_handshakes_per_second: float = 0.0  # 0: no pace
    handshake_max_loop_lag: float = 0.0  # new handshakes wait while a loop turn takes longer
    handshake_timeout: float = 10.0  # admission decision (queue, database, password check)
    first_message_timeout: float = 360.0  # a silent station after the handshake is dropped
    connected_write_grace: float = 0.0  # "connected" waits this long for the boot to carry it
    admission: AdmissionPolicy = field(default_factory=AdmissionPolicy)


class _NoEdgeObserver:
    def refused(self, reason: str) -> None: ...
    def timed_out(self, stage: str) -> None: ...
    def throttled(self, scope: str) -> None: ...
    def registration_refused(self, reason: str) -> None: ...


@dataclass(frozen=True, slots=True)
class _Admitted:
    adapter: VersionAdapter
    admission: Admission
    protocol: str
    offered: bool


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
        observer: SessionObserver | None = None,
        edge_observer: EdgeObserver | None = None,
    ) -> None:
        self._core = core
        self._adapters = adapters
        self._registry = registry
        self._config = config
        self._observer = observer
        self._edge: EdgeObserver = edge_observer or _NoEdgeObserver()
        self.admission = StationAdmission(config.admission)
        # stations stored, or admitted since start: their handshakes skip the pace and the
        # queue cap, so a restart's reconnect storm is not metered like unknown newcomers
        self._known: set[str] = set()
        self._background: set[asyncio.Task[None]] = set()  # "connected" writes of silent stations
        # A reconnect storm queues here (bounded) instead of exhausting the database.
        self._slots = HandshakeSlots(
            config.max_concurrent_handshakes,
            config.max_queued_handshakes,
            config.max_handshakes_per_second,
            config.handshake_max_loop_lag,
        )

    def know(self, station_ids: Iterable[str]) -> None:
        """Stations already stored (at start-up): admitted first when they all reconnect."""
        self._known.update(station_ids)

    async def session(self, websocket: WebSocket) -> None:
        """One station connection, from handshake to close (a Starlette websocket endpoint)."""
        station_id = websocket.path_params["station_id"]
        address = websocket.client.host if websocket.client else "unknown"
        refusal = self.admission.check(station_id, address)  # cheap: memory only
        # Known stations are not paced nor refused for a full queue: what bounds them is the
        # concurrency, a quiet event loop, their number and their reconnect rate.
        newcomer = station_id not in self._known
        if refusal is None and newcomer and self._slots.full:
            refusal = Refusal(503, "busy", 5.0)
        if refusal is None:
            try:
                async with (
                    asyncio.timeout(self._config.handshake_timeout),
                    self._slots.slot(paced=newcomer, quiet=True),
                ):
                    decision = await self._decide(websocket, station_id, address)
            except TimeoutError:
                self._edge.timed_out("handshake")
                decision = Refusal(503, "handshake_timeout", 5.0)
            if isinstance(decision, _Admitted):
                await websocket.accept(subprotocol=decision.protocol if decision.offered else None)
                # nothing reads the headers again; the password must not stay in memory
                websocket.scope["headers"].clear()
                await self._serve(websocket, station_id, decision.adapter, decision.admission)
                return
            refusal = decision
        await self._refuse(websocket, station_id, refusal)

    async def _decide(
        self, websocket: WebSocket, station_id: str, address: str
    ) -> _Admitted | Refusal:
        certificate = await self._core.certificates.admit(
            station_id,
            client_certificate(websocket.scope),
            over_tls=websocket.scope.get("scheme") == "wss",
        )
        if certificate.verdict is Verdict.REFUSED:
            return await self._certificate_refused(station_id, address, certificate)
        certified = certificate.verdict is Verdict.ACCEPTED
        credentials = parse_basic_auth(websocket.headers.get("authorization"))
        if not certified and credentials is not None and credentials.username != station_id:
            await self._login_failed(station_id, address, known_station=False)
            return Refusal(401, "username_mismatch", 0)
        password = credentials.password if credentials else None
        admission = await self._core.provisioning.admit(station_id, password, certified=certified)
        if not admission.allowed:
            if admission.bad_password:
                await self._login_failed(station_id, address, known_station=True)
                return Refusal(401, "bad_credentials", 0)
            return self._unadmitted(station_id, admission)
        self.admission.admitted(station_id, address)
        self._known.add(station_id)
        quirks = quirks_for(admission.vendor, admission.model)
        offered = list(websocket.scope.get("subprotocols", []))
        protocol = choose_subprotocol(offered, self._config.protocols)
        if protocol is None and not offered and quirks.allow_missing_subprotocol:
            protocol = "ocpp1.6"  # quirk: legacy firmware that sends no Sec-WebSocket-Protocol
        if protocol is None:
            return Refusal(400, "no_supported_subprotocol", 0)
        return _Admitted(self._adapters[protocol], admission, protocol, bool(offered))

    async def _certificate_refused(
        self, station_id: str, address: str, refused: CertificateAdmission
    ) -> Refusal:
        """Profile 3 refused (identity, dates, revocation, profile not met): a security event
        on the station named in the URL, and a failed login for the throttles."""
        log.warning(
            "client certificate refused: %s", refused.detail, extra={"station_id": station_id}
        )
        await self._core.records.record(
            station_id,
            StationEventKind.SECURITY,
            {"type": "InvalidChargingStationCertificate", "techInfo": refused.detail[:255]},
        )
        await self._login_failed(station_id, address, known_station=station_id in self._known)
        return Refusal(403, refused.reason, 0)

    def _unadmitted(self, station_id: str, admission: Admission) -> Refusal:
        """A refusal with a bounded reason label; the detail goes to the log only."""
        if admission.refusal is not Unadmitted.UNAUTHORIZED:
            self._edge.registration_refused(admission.refusal.value)
        log.info("not admitted: %s", admission.reason, extra={"station_id": station_id})
        status = _REFUSAL_STATUS.get(admission.refusal, 401)
        return Refusal(status, admission.refusal.value, 0)

    async def _login_failed(self, station_id: str, address: str, *, known_station: bool) -> None:
        """Count it; when a back-off starts, say so in metrics, the log and the station's
        security events (at most once per back-off, so an attack cannot flood the database)."""
        started = self.admission.failed(station_id, address, known_station=known_station)
        for scope, backoff in started.items():
            self._edge.throttled(scope)
            log.warning(
                "failed logins: %s %s refused for %.0f s",
                scope,
                address if scope == "address" else station_id,
                backoff,
                extra={"station_id": station_id},
            )
            if known_station:
                tech_info = f"failed logins ({scope} {address}): back-off {backoff:.0f} s"
                await self._core.records.record(
                    station_id,
                    StationEventKind.SECURITY,
                    {"type": "CsmsLoginThrottled", "techInfo": tech_info},
                )

    async def _refuse(self, websocket: WebSocket, station_id: str, refusal: Refusal) -> None:
        self._edge.refused(refusal.reason)
        level = logging.INFO if refusal.status in (429, 503) else logging.WARNING
        log.log(
            level,
            "handshake refused (%d): %s",
            refusal.status,
            refusal.reason,
            extra={"station_id": station_id},
        )
        headers = {"WWW-Authenticate": 'Basic realm="forecourt"'} if refusal.status == 401 else {}
        if refusal.retry_after:
            headers["Retry-After"] = str(max(1, math.ceil(refusal.retry_after)))
        try:
            await websocket.send_denial_response(
                Response(status_code=refusal.status, headers=headers)
            )
        except RuntimeError:  # server without the denial-response extension
            await websocket.close(code=1008)

    async def _serve(
        self, websocket: WebSocket, station_id: str, adapter: VersionAdapter, admission: Admission
    ) -> None:
        quirks = quirks_for(admission.vendor, admission.model)
        connection = self._connect(websocket, station_id, adapter, admission.registration, quirks)
        await self._registry.register(connection)
        # the station as admission read it goes to the event's subscribers, then is let go:
        # a connection does not keep it (nor its password hash) for its lifetime
        snapshot, admission.station = admission.station, None
        note = self._core.provisioning.connecting(adapter.protocol, snapshot)
        del snapshot
        deferred = DeferredConnect(note, functools.partial(self._write_connected, station_id))
        del note
        grace = self._config.connected_write_grace
        if grace > 0:  # the boot's unit of work writes it (one commit per reconnect)
            connection.link.connect = deferred
            asyncio.get_running_loop().call_later(grace, self._grace_over, deferred)
        else:
            await deferred.settle()
        reason = "closed by station"
        try:
            await self._pump(websocket, connection.session, station_id)
        except Exception:
            reason = "error"
            log.exception("connection failed", extra={"station_id": station_id})
        finally:
            connection.session.close()
            if not deferred.settled:  # a boot carrying it may still be unwinding
                await connection.session.wait_closed()
            if self._registry.unregister(connection):
                await self._closed(station_id, deferred, reason)
            else:  # replaced: the newer connection writes its own "connected"
                deferred.claim()

    async def _write_connected(self, station_id: str, note: Connecting) -> None:
        # connection bookkeeping shares the handshake slots: churn queues here, in memory,
        # and the database stays free for the stations already connected
        async with self._slots.slot():
            await self._core.provisioning.connected_as(station_id, note)

    def _grace_over(self, deferred: DeferredConnect) -> None:
        """No boot carried "connected" in time (a silent station, a late boot): write it."""
        if deferred.pending:
            task = asyncio.get_running_loop().create_task(deferred.settle())
            self._background.add(task)
            task.add_done_callback(self._background_done)

    def _background_done(self, task: asyncio.Task[None]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("writing a connection failed", exc_info=task.exception())

    async def _closed(self, station_id: str, deferred: DeferredConnect, reason: str) -> None:
        try:
            await deferred.settle()  # a history entry per connection, in order
        except Exception:
            log.exception("writing a connection failed", extra={"station_id": station_id})
        async with self._slots.slot():
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

    async def _pump(self, websocket: WebSocket, session: OcppSession, station_id: str) -> None:
        deadline: float | None = self._config.first_message_timeout
        while True:
            try:
                async with asyncio.timeout(deadline):
                    message = await websocket.receive()
            except TimeoutError:  # authenticated, then silent: it only holds a socket
                self._edge.timed_out("first_message")
                log.info(
                    "no OCPP message after the handshake: closing", extra={"station_id": station_id}
                )
                with contextlib.suppress(RuntimeError):
                    await websocket.close(code=1008, reason="no OCPP message")
                return
            except (WebSocketDisconnect, RuntimeError):
                return
            deadline = None
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            await session.receive(text if text is not None else message.get("bytes") or b"")
