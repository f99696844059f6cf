"""The station's link to the CSMS: connect, boot, heartbeat, reconnect, and the ordered
outbox of transaction messages that survives disconnects and reboots.

Transaction-related messages (1.6 StartTransaction / StopTransaction / MeterValues of a
transaction, 2.0.1 TransactionEvent) are never sent directly: they go into the outbox with
their original timestamps, and one pump task per connection sends them strictly in order,
so being offline only delays them. Everything else is sent only while online (dropped
otherwise; the station re-announces its state after every reconnect).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException
from websockets.typing import Subprotocol

from forecourt.simulator.certificates import tls_context
from forecourt.simulator.config import StationConfig, StationFaults
from forecourt.simulator.rpc import (
    Answer,
    ConnectionLost,
    FrameTap,
    OcppCallError,
    Payload,
    RpcConnection,
    drop_pongs_when,
)
from forecourt.simulator.settings import SettingsStore

_LOG = logging.getLogger(__name__)
MAX_BACKOFF_S = 60.0
LINK_ERRORS = (OSError, WebSocketException, TimeoutError, ConnectionLost, OcppCallError)


class BootResult(NamedTuple):
    status: str
    interval: float


class LinkPeer(Protocol):
    """What the uplink needs from the protocol dialect."""

    async def boot(self, reason: str) -> BootResult: ...
    async def heartbeat(self) -> None: ...
    async def announce_all(self) -> None: ...
    async def handle(self, action: str, payload: Payload) -> Answer: ...


@dataclass(eq=False)
class OutboxItem:
    action: str
    payload: Payload
    # Fill in values known only at send time (the 1.6 transactionId); None drops the item.
    prepare: Callable[[Payload], Payload | None] | None = None
    on_result: Callable[[Payload], None] | None = None
    attempts: int = 0


def is_start_message(action: str, payload: Payload) -> bool:
    return action == "StartTransaction" or (
        action == "TransactionEvent" and payload.get("eventType") == "Started"
    )


class Uplink:
    def __init__(
        self,
        config: StationConfig,
        settings: SettingsStore,
        faults: StationFaults,
        *,
        emit: Callable[[str], None],
        tap: FrameTap | None = None,
    ) -> None:
        self.config = config
        self.settings = settings
        self.faults = faults
        self.emit = emit
        self.tap = tap
        self.peer: LinkPeer | None = None
        self.rpc: RpcConnection | None = None
        self.outbox: deque[OutboxItem] = deque()
        self.booted = asyncio.Event()
        self.ready = asyncio.Event()  # booted, outbox flushed, state announced
        self.link_down = asyncio.Event()
        self.last_start: tuple[str, Payload] | None = None
        self._want_online = asyncio.Event()
        self._boot_now = asyncio.Event()
        self._settings_changed = asyncio.Event()
        self._outbox_wakeup = asyncio.Event()
        self._outbox_empty = asyncio.Event()
        self._outbox_empty.set()
        self._boot_reason = "PowerUp"
        self._reboot_pending = False
        self._failures = 0  # consecutive connections that ended before an accepted boot
        self._server = 0  # which of the configured CSMS URLs the station uses now
        self._tasks: set[asyncio.Task[None]] = set()
        self._jitter = random.Random(config.station_id)
        self.link_down.set()
        settings.listeners.append(lambda _name: self._settings_changed.set())

    @property
    def is_online(self) -> bool:
        return self.rpc is not None and self.booted.is_set()

    # ----------------------------------------------------------------- lifecycle
    async def run(self) -> None:
        self._want_online.set()
        while True:
            await self._want_online.wait()
            failed_over = False
            try:
                await self._connect_once()
            except LINK_ERRORS as exc:
                self.emit(f"link down: {exc!r}"[:200])
                failed_over = self._fail_over()
            except Exception:  # a simulator bug must not silently kill the station
                _LOG.exception("%s: link failed", self.config.station_id)
            if self._reboot_pending:
                self._reboot_pending = False
                await asyncio.sleep(self.config.reboot_delay_s)
            elif failed_over:  # the next server at once (jittered), the back-off per round
                await asyncio.sleep(self.config.reconnect_delay_s * self._jitter.uniform(0.5, 1.5))
            elif self._want_online.is_set():
                await asyncio.sleep(self._backoff())

    def _fail_over(self) -> bool:
        """Move on to the next configured CSMS; False when a round of them is complete."""
        count = len(self.config.endpoints)
        self._server = (self._server + 1) % count
        return self._server != 0

    @property
    def _endpoint(self) -> str:
        endpoints = self.config.endpoints
        return endpoints[self._server % len(endpoints)]

    def _backoff(self) -> float:
        """Jittered exponential back-off, so a fleet does not reconnect in lockstep after a
        CSMS restart; reset by the next accepted boot."""
        self._failures += 1
        base = self.config.reconnect_delay_s
        delay = min(base * 2.0 ** min(self._failures - 1, 10), max(base, MAX_BACKOFF_S))
        return delay * self._jitter.uniform(0.5, 1.5)

    async def go_offline(self, *, abrupt: bool = False) -> None:
        self._want_online.clear()
        if self.rpc:
            await self.rpc.close(between_calls=not abrupt)
        await self.link_down.wait()

    def go_online(self) -> None:
        self._want_online.set()

    async def reboot(self, boot_reason: str) -> None:
        """Drop the link as a rebooting station does; the next connection boots again."""
        self.booted.clear()
        self._boot_reason = boot_reason
        self._reboot_pending = True
        if self.rpc:
            await self.rpc.close()

    async def reconnect(self) -> None:
        """Drop the link; the run loop connects again (with the current credentials)."""
        if self.rpc:
            await self.rpc.close()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception():
            _LOG.error("simulator task failed", exc_info=task.exception())

    async def close(self) -> None:
        self._want_online.clear()
        if self.rpc:
            await self.rpc.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # ---------------------------------------------------------------- connection
    async def _connect_once(self) -> None:
        assert self.peer is not None, "a dialect must be attached before run()"
        headers = {}
        if self.config.password is not None:
            secret = f"{self.config.station_id}:{self.config.password}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(secret).decode()
        subprotocols = None if self.config.sloppy else [Subprotocol(self.config.subprotocol)]
        async with connect(
            self._endpoint,
            subprotocols=subprotocols,
            additional_headers=headers,
            open_timeout=self.config.call_timeout_s,
            ping_interval=self.config.ws_ping_interval_s,
            close_timeout=2.0,
            ssl=tls_context(self.config),
        ) as ws:
            await self._serve(ws, self.peer)

    async def _serve(self, ws: ClientConnection, peer: LinkPeer) -> None:
        if not self._want_online.is_set():
            return  # went offline while the handshake was in flight
        if ws.subprotocol != self.config.subprotocol and not self.config.sloppy:
            self.emit(f"CSMS did not agree to {self.config.subprotocol} ({ws.subprotocol})")
        drop_pongs_when(ws, lambda: self.faults.half_open)
        rpc = RpcConnection(
            ws,
            peer.handle,
            protocol=self.config.protocol,
            call_timeout=self.config.call_timeout_s,
            spawn=self.spawn,
            answer_calls=lambda: not self.faults.half_open,
            tap=self.tap,
            sloppy=self.config.sloppy,
        )
        self.rpc = rpc
        self.link_down.clear()
        self.emit(f"connected to {self._endpoint}")
        reader = asyncio.create_task(rpc.run())
        work = asyncio.create_task(self._work(rpc, peer))
        try:
            await asyncio.wait({reader, work}, return_when=asyncio.FIRST_COMPLETED)
            if work.done():
                work.result()  # surface boot failures
        finally:
            self.rpc = None
            self.ready.clear()
            for task in (work, reader):
                task.cancel()
            await asyncio.gather(work, reader, return_exceptions=True)
            self.link_down.set()

    async def _work(self, rpc: RpcConnection, peer: LinkPeer) -> None:
        if not self.booted.is_set():
            await self._boot_until_accepted(peer)
        pump = asyncio.create_task(self._pump(rpc))
        try:
            await self._outbox_empty.wait()  # offline backlog first, in original order
            await peer.announce_all()
            self.ready.set()
            await self._heartbeat_loop(peer)
        finally:
            pump.cancel()
            await asyncio.gather(pump, return_exceptions=True)

    async def _boot_until_accepted(self, peer: LinkPeer) -> None:
        while True:
            self._boot_now.clear()
            try:
                result = await peer.boot(self._boot_reason)
            except (TimeoutError, OcppCallError) as exc:
                self.emit(f"BootNotification failed: {exc!r}")
                retry = self.config.boot_retry_s
            else:
                if result.status == "Accepted":
                    self._accept_boot(result)
                    return
                retry = result.interval or self.config.boot_retry_s
                self.emit(f"BootNotification {result.status}; retry in {retry:g}s")
            with contextlib.suppress(TimeoutError):  # a TriggerMessage may cut the wait short
                await asyncio.wait_for(self._boot_now.wait(), retry)

    def _accept_boot(self, result: BootResult) -> None:
        if result.interval > 0:
            self.settings.set_key("HeartbeatInterval", f"{result.interval:g}", force=True)
        self._boot_reason = "PowerUp"
        self._failures = 0
        self.booted.set()
        self.emit("boot accepted")

    async def trigger_boot(self) -> None:
        """TriggerMessage(BootNotification): wake the boot loop, or re-boot when accepted."""
        if not self.booted.is_set():
            self._boot_now.set()
            return
        if self.peer:
            with contextlib.suppress(*LINK_ERRORS):
                await self.peer.boot("Triggered")

    async def _heartbeat_loop(self, peer: LinkPeer) -> None:
        while True:
            self._settings_changed.clear()
            interval = self.settings.number("HeartbeatInterval")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._settings_changed.wait(), interval or None)
                continue  # the interval changed: start over with the new one
            await peer.heartbeat()

    # -------------------------------------------------------------------- sending
    async def call(
        self, action: str, payload: Payload, *, message_id: str | None = None
    ) -> Payload:
        """One direct CALL, bypassing the outbox; raises when offline or refused."""
        if self.rpc is None:
            raise ConnectionLost("offline")
        return await self.rpc.call(action, payload, message_id=message_id)

    async def send_now(
        self, action: str, payload: Payload, *, while_pending: bool = False
    ) -> Payload | None:
        """Send a non-transaction message if online (after the queued transaction messages);
        None when offline or when it failed."""
        if self.rpc is None or not (self.booted.is_set() or while_pending):
            return None
        if self.outbox and self.booted.is_set():
            # Keep the order in which things happened: a StatusNotification(Charging) must
            # not overtake the StartTransaction still waiting in the outbox.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._outbox_empty.wait(), self.config.call_timeout_s)
            if self.rpc is None:
                return None
        try:
            return await self.rpc.call(action, payload)
        except (TimeoutError, OcppCallError, ConnectionLost) as exc:
            self.emit(f"{action} failed: {exc!r}"[:200])
            return None

    def later(self, action: str, payload: Payload) -> Callable[[], Awaitable[None]]:
        """A follow-up that sends one triggered message (allowed while boot is Pending)."""

        async def send() -> None:
            await self.send_now(action, payload, while_pending=True)

        return send

    def enqueue(self, item: OutboxItem) -> None:
        self.outbox.append(item)
        self._outbox_empty.clear()
        self._outbox_wakeup.set()

    async def wait_outbox_empty(self, timeout: float | None = None) -> bool:
        try:
            await asyncio.wait_for(self._outbox_empty.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def _pump(self, rpc: RpcConnection) -> None:
        while True:
            if not self.outbox:
                self._outbox_empty.set()
                self._outbox_wakeup.clear()
                await self._outbox_wakeup.wait()
                continue
            item = self.outbox[0]
            payload = item.prepare(item.payload) if item.prepare else item.payload
            result = None
            if payload is not None:
                finished, result = await self._deliver(rpc, item, payload)
                if not finished:
                    continue
                if is_start_message(item.action, payload):
                    self.last_start = (item.action, payload)
            self.outbox.popleft()
            if result is not None and item.on_result:
                item.on_result(result)

    async def _deliver(
        self, rpc: RpcConnection, item: OutboxItem, payload: Payload
    ) -> tuple[bool, Payload | None]:
        """(finished with the item, CSMS result). Connection loss propagates: the item stays
        at the head of the outbox for the next connection."""
        try:
            return True, await rpc.call(item.action, payload)
        except OcppCallError as exc:  # the CSMS refused it: retrying would not help
            self.emit(f"{item.action} dropped: {exc}")
        except TimeoutError:
            item.attempts += 1
            if item.attempts < self.config.transaction_attempts:
                return False, None
            self.emit(f"{item.action} dropped after {item.attempts} attempts")
        return True, None

    # ------------------------------------------------------- protocol test hooks
    async def replay_last_start(self) -> Payload:
        if self.last_start is None:
            raise RuntimeError("no StartTransaction / TransactionEvent(Started) sent yet")
        return await self.call(*self.last_start)

    async def resend_last_call(self) -> Payload:
        if self.rpc is None or self.rpc.last_call is None:
            raise RuntimeError("no CALL sent on this connection yet")
        last = self.rpc.last_call
        return await self.rpc.call(last.action, last.payload, message_id=last.message_id)

    async def send_raw(self, text: str, timeout: float) -> str | None:
        if self.rpc is None:
            raise ConnectionLost("offline")
        return await self.rpc.send_raw(text, timeout)
