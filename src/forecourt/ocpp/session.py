"""One OCPP-J connection: correlation, timeouts and the one-outstanding-CALL rule.

Inbound and outbound traffic are independent (OCPP-J 1.6 §4.1.1, 2.0.1 Part 4 §4.1.1):
- outbound: at most one CALL of ours is outstanding; a second caller waits for the lock.
  A timed-out CALL releases the lock, and a late answer to it is logged and dropped.
- inbound: CALLs are handled one at a time, in arrival order, by a worker task, while
  `receive` routes CALLRESULT/CALLERROR to our pending CALL immediately. So a handler
  may itself await an outbound call without deadlocking the connection.

Nothing a station sends can raise out of `receive` or close the session. Payloads are
never logged: they can carry credentials (e.g. a BasicAuthPassword being set).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import Any

from forecourt.ocpp.errors import (
    INTERNAL_ERROR_DESCRIPTION,
    CallFailed,
    CallTimeout,
    ErrorKind,
    InvalidRequest,
    InvalidResponse,
    OcppError,
    OutboundCallError,
    SessionClosed,
)
from forecourt.ocpp.quirks import NO_QUIRKS, Quirks
from forecourt.ocpp.rpc import (
    KNOWN_MESSAGE_TYPES,
    MAX_MESSAGE_ID_LENGTH,
    UNKNOWN_MESSAGE_ID,
    Call,
    CallError,
    CallResult,
    FrameError,
    MessageType,
    encode_error,
    encode_frame,
    new_message_id,
    parse_frame,
    to_json_native,
)
from forecourt.ocpp.session_parts import (
    INBOUND,
    OUTBOUND,
    UNKNOWN_ACTION,
    Answered,
    Handler,
    InboundCall,
    Pending,
    SessionObserver,
    Transport,
    payload_fingerprint,
)
from forecourt.ocpp.validation import SchemaValidator, validator_for
from forecourt.ocpp.versions import OcppVersion

__all__ = [
    "CallFailed",
    "CallTimeout",
    "Handler",
    "InvalidRequest",
    "InvalidResponse",
    "OcppSession",
    "OutboundCallError",
    "SessionClosed",
    "SessionObserver",
    "Transport",
]

_LOGGER = logging.getLogger("forecourt.ocpp")


class OcppSession:
    """The OCPP-J RPC state of one websocket connection."""

    def __init__(
        self,
        version: OcppVersion,
        transport: Transport,
        handler: Handler,
        *,
        call_timeout: float = 30.0,
        validator: SchemaValidator | None = None,
        observer: SessionObserver | None = None,
        station_id: str = "",
        quirks: Quirks | None = None,
        handler_timeout: float | None = None,
        replay_cache_size: int = 16,  # a station resends only CALLs it may have in flight
        inbound_queue_limit: int = 16,
    ) -> None:
        self.version = version
        self.station_id = station_id
        self._transport = transport
        self._handler = handler
        self._observer = observer
        self._quirks = quirks or NO_QUIRKS
        self._validator = validator or validator_for(version, self._quirks)
        self._call_timeout = call_timeout
        self._handler_timeout = handler_timeout
        self._log = logging.LoggerAdapter(_LOGGER, {"station_id": station_id})
        self._call_lock = asyncio.Lock()
        self._pending: Pending | None = None
        # An idle connection holds no task, queue or deque (issue 12, idle memory): the inbound
        # worker runs while CALLs wait and ends when none does; the rest is made on first use.
        self._timed_out: deque[str] | None = None
        self._inbound: list[InboundCall] = []
        self._inbound_limit = inbound_queue_limit
        self._in_flight: set[str] = set()
        self._answered: dict[str, Answered] = {}  # insertion order: oldest first
        self._replay_cache_size = replay_cache_size
        self._worker: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def use_quirks(self, quirks: Quirks) -> None:
        """Apply a station model's quirks (e.g. once its BootNotification is known)."""
        self._quirks = quirks
        self._validator = validator_for(self.version, quirks)

    async def receive(self, text: str | bytes) -> None:
        """Feed one inbound websocket text frame. Never raises for bad input."""
        try:
            await self._receive(text)
        except Exception:
            self._log.exception("Unexpected failure while processing an inbound frame")

    async def _receive(self, text: str | bytes) -> None:
        if self._closed:
            self._log.debug("Frame received after close; dropped")
            return
        lenient_id = self._quirks.lenient_message_id_length
        try:
            frame = parse_frame(
                text,
                self.version,
                max_message_id_length=None if lenient_id else MAX_MESSAGE_ID_LENGTH,
            )
        except FrameError as error:
            await self._on_malformed(error, len(text))
            return
        if isinstance(frame, Call):
            await self._accept_call(frame)
        else:
            self._resolve_pending(frame)

    async def _on_malformed(self, error: FrameError, size: int) -> None:
        if error.message_type in (MessageType.CALLRESULT, MessageType.CALLERROR):
            # Answers are never answered; fail our pending CALL if it was the target.
            self._log.warning("Malformed answer to %r: %s", error.message_id, error.description)
            self._fail_pending(error)
            return
        unknown_type = (
            error.message_type is not None and error.message_type not in KNOWN_MESSAGE_TYPES
        )
        if unknown_type and self.version is OcppVersion.V16:
            # OCPP-J 1.6 §4.1.3: a message with an unknown type number SHALL be ignored.
            self._log.warning("Ignored frame with MessageTypeId %s", error.message_type)
            return
        self._log.warning("Malformed frame (%d chars): %s", size, error.description)
        self._observe(UNKNOWN_ACTION, INBOUND, error.kind.value, 0.0)
        await self._send(encode_error(error.message_id or UNKNOWN_MESSAGE_ID, error, self.version))

    async def _accept_call(self, call: Call) -> None:
        if call.message_id in self._in_flight:
            # A resend while we are still working on it: the one reply answers both.
            self._log.info("Duplicate CALL %r is already being handled", call.message_id)
            return
        fingerprint = payload_fingerprint(call.payload)
        answered = self._answered.get(call.message_id)
        if answered is not None:
            if (answered.action, answered.fingerprint) == (call.action, fingerprint):
                self._answered[call.message_id] = self._answered.pop(call.message_id)
                self._log.info("Resent CALL %r answered from cache", call.message_id)
                self._observe(self._label(call.action), INBOUND, "replayed", 0.0)
                await self._send(answered.reply)
                return
            self._log.warning("Message id %r reused for a different CALL", call.message_id)
        if len(self._inbound) >= self._inbound_limit:
            self._log.warning("Too many CALLs outstanding; rejected %r", call.message_id)
            busy = OcppError(ErrorKind.GENERIC, "Too many outstanding CALLs on this connection")
            await self._send(encode_error(call.message_id, busy, self.version))
            return
        self._inbound.append(InboundCall(call, fingerprint))
        self._in_flight.add(call.message_id)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(
                self._work(), name=f"ocpp-inbound:{self.station_id}"
            )

    async def _work(self) -> None:
        while self._inbound:
            inbound = self._inbound.pop(0)
            try:
                await self._send(await self._process(inbound))
            except Exception:
                self._log.exception(
                    "Unexpected failure while answering %r", inbound.call.message_id
                )
            finally:
                self._in_flight.discard(inbound.call.message_id)
        self._worker = None  # idle: the task ends; the next CALL starts another

    async def _process(self, inbound: InboundCall) -> str:
        call = inbound.call
        started = time.monotonic()
        try:
            response = await self._answer(call)
        except OcppError as error:
            outcome, reply = error.kind.value, encode_error(call.message_id, error, self.version)
        else:
            outcome, reply = "ok", encode_frame(CallResult(call.message_id, response))
            self._remember(inbound, reply)
        self._observe(self._label(call.action), INBOUND, outcome, time.monotonic() - started)
        return reply

    async def _answer(self, call: Call) -> dict[str, Any]:
        try:
            self._validator.validate_request(call.action, call.payload)
        except OcppError as error:
            self._log.warning(
                "Rejected %r %r: %s", call.action[:64], call.message_id, error.description
            )
            raise
        try:
            async with asyncio.timeout(self._handler_timeout):
                response = await self._handler(call.action, call.payload)
        except OcppError:
            raise
        except Exception:
            self._log.exception("Handler for %r %r failed", call.action, call.message_id)
            raise OcppError(ErrorKind.INTERNAL, INTERNAL_ERROR_DESCRIPTION) from None
        return self._checked_response(call, response)

    def _checked_response(self, call: Call, response: Any) -> dict[str, Any]:
        # A bug in our handler must become an InternalError, never a bad frame on the wire.
        try:
            if not isinstance(response, dict):
                raise TypeError(f"handler returned {type(response).__name__}, not a dict")
            native = to_json_native(response)
            self._validator.validate_response(call.action, native)
        except (TypeError, OcppError) as problem:
            self._log.error("Handler for %s returned an invalid response: %s", call.action, problem)
            raise OcppError(ErrorKind.INTERNAL, INTERNAL_ERROR_DESCRIPTION) from None
        return native

    def _remember(self, inbound: InboundCall, reply: str) -> None:
        # Only successes are cached: a resend after an InternalError deserves a retry.
        call = inbound.call
        self._answered.pop(call.message_id, None)  # to the end: the newest
        self._answered[call.message_id] = Answered(call.action, inbound.fingerprint, reply)
        while len(self._answered) > self._replay_cache_size:
            del self._answered[next(iter(self._answered))]

    async def call(
        self, action: str, payload: dict[str, Any], *, timeout: float | None = None
    ) -> dict[str, Any]:
        """Send a CALL and return the station's CALLRESULT payload.

        Raises InvalidRequest, CallTimeout, CallFailed, InvalidResponse or SessionClosed
        (all OutboundCallError). Waits while another outbound CALL is outstanding.
        """
        started = time.monotonic()
        outcome = "error"
        try:
            answer = await self._call(action, payload, timeout)
            outcome = "ok"
            return answer
        except OutboundCallError as error:
            outcome = error.outcome
            raise
        finally:
            self._observe(self._label(action), OUTBOUND, outcome, time.monotonic() - started)

    async def _call(
        self, action: str, payload: dict[str, Any], timeout: float | None
    ) -> dict[str, Any]:
        if self._closed:
            raise SessionClosed(f"session for {self.station_id!r} is closed")
        try:
            request = to_json_native(payload)
            self._validator.validate_request(action, request)
        except OcppError as error:
            raise InvalidRequest(action, error) from None
        except TypeError as error:
            raise InvalidRequest(action, OcppError(ErrorKind.FORMAT, str(error))) from None
        async with self._call_lock:
            if self._closed:
                raise SessionClosed(f"session for {self.station_id!r} is closed")
            answer = await self._exchange(action, request, timeout)
        if isinstance(answer, CallError):
            raise CallFailed(action, answer)
        try:
            self._validator.validate_response(action, answer.payload)
        except OcppError as error:
            self._log.warning("Invalid %s response %r: %s", action, answer.message_id, error)
            raise InvalidResponse(action, answer.message_id, error) from None
        return answer.payload

    async def _exchange(
        self, action: str, request: dict[str, Any], timeout: float | None
    ) -> CallResult | CallError:
        message_id = new_message_id()
        future: asyncio.Future[CallResult | CallError] = asyncio.get_running_loop().create_future()
        self._pending = Pending(message_id, action, future)
        seconds = self._timeout_for(timeout)
        try:
            async with asyncio.timeout(seconds):
                await self._send_call(Call(message_id, action, request))
                return await future
        except TimeoutError:
            if self._timed_out is None:
                self._timed_out = deque(maxlen=16)
            self._timed_out.append(message_id)
            self._log.warning("%s %s timed out after %gs", action, message_id, seconds)
            raise CallTimeout(action, message_id, seconds) from None
        finally:
            self._pending = None

    async def _send_call(self, call: Call) -> None:
        try:
            await self._transport.send_text(encode_frame(call))
        except (TimeoutError, asyncio.CancelledError):
            raise
        except Exception as exc:  # the connection is gone: the CALL was never delivered
            raise SessionClosed(f"could not send {call.action}: {exc!r:.200}") from exc

    def _timeout_for(self, timeout: float | None) -> float:
        if timeout is not None:
            return timeout
        if self._quirks.call_timeout is not None:
            return self._quirks.call_timeout
        return self._call_timeout

    def _resolve_pending(self, answer: CallResult | CallError) -> None:
        pending = self._pending
        if pending is None or pending.message_id != answer.message_id or pending.future.done():
            if self._timed_out is not None and answer.message_id in self._timed_out:
                self._log.info("Late answer to timed-out CALL %r ignored", answer.message_id)
            else:
                self._log.warning("Answer with unknown message id %r ignored", answer.message_id)
            return
        pending.future.set_result(answer)

    def _fail_pending(self, error: FrameError) -> None:
        pending = self._pending
        if pending and pending.message_id == error.message_id and not pending.future.done():
            pending.future.set_exception(InvalidResponse(pending.action, pending.message_id, error))

    def close(self) -> None:
        """Fail the pending outbound CALL and cancel inbound work. Idempotent."""
        if self._closed:
            return
        self._closed = True
        pending = self._pending
        if pending is not None and not pending.future.done():
            pending.future.set_exception(SessionClosed(f"session for {self.station_id!r} closed"))
        if self._worker is not None:
            self._worker.cancel()
        self._inbound.clear()
        self._in_flight.clear()

    async def wait_closed(self) -> None:
        """Close, and wait until cancelled inbound work has actually stopped."""
        self.close()
        if self._worker is not None:
            await asyncio.wait({self._worker})

    async def _send(self, text: str) -> None:
        try:
            await self._transport.send_text(text)
        except Exception:  # the connection is going away; the gateway will notice
            self._log.warning("Could not send a frame", exc_info=True)

    def _label(self, action: str) -> str:
        return action if action in self._validator.actions() else UNKNOWN_ACTION

    def _observe(self, action: str, direction: str, outcome: str, seconds: float) -> None:
        if self._observer is None:
            return
        try:
            self._observer.message(action, direction, outcome, seconds)
        except Exception:
            self._log.exception("Session observer failed")
