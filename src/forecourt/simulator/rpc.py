"""OCPP-J framing and the RPC discipline of one websocket connection.

A peer of the CSMS, written independently of the server's code:

* ``[2, id, action, payload]`` CALL, ``[3, id, payload]`` CALLRESULT,
  ``[4, id, code, description, details]`` CALLERROR (OCPP-J 1.6 §4, 2.0.1 part 4 §4).
* At most one outstanding CALL from this side: :meth:`RpcConnection.call` holds a lock until
  the reply or the timeout. A timed-out call releases the lock; a late reply is ignored.
* CSMS-initiated CALLs are answered concurrently, each in its own task, so they never wait
  behind our own pending call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode

from forecourt.simulator.config import ProtocolVersion

CALL, CALLRESULT, CALLERROR = 2, 3, 4
Payload = dict[str, Any]
FrameTap = Callable[[str, str], None]  # (direction "out" | "in", frame text)

_LOG = logging.getLogger(__name__)

# OCPP 1.6 spells two error codes differently and lacks the 2.0.1 RPC-level ones.
_V16_SPELLING = {
    "FormatViolation": "FormationViolation",
    "OccurrenceConstraintViolation": "OccurenceConstraintViolation",
    "RpcFrameworkError": "FormationViolation",
    "MessageTypeNotSupported": "NotSupported",
}


def error_code(code: str, protocol: ProtocolVersion) -> str:
    """Spell a (2.0.1-named) CALLERROR code the way ``protocol`` does."""
    return _V16_SPELLING.get(code, code) if protocol == "1.6" else code


class OcppCallError(Exception):
    """Raised by a handler to answer with a CALLERROR, and by :meth:`RpcConnection.call`
    when the CSMS answered with one."""

    def __init__(self, code: str, description: str = "", details: Payload | None = None) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.details = details or {}


class ConnectionLost(Exception):
    """The websocket closed before the call could complete."""


@dataclass(frozen=True)
class Answer:
    """A handler's CALLRESULT payload plus work to start once the result has been sent
    (for example: the StatusNotification that follows a TriggerMessage)."""

    payload: Payload
    then: Callable[[], Awaitable[None]] | None = None


@dataclass(frozen=True)
class SentCall:
    message_id: str
    action: str
    payload: Payload


Handler = Callable[[str, Payload], Awaitable[Answer]]
Spawn = Callable[[Coroutine[Any, Any, None]], None]


def encode(frame: list[Any]) -> str:
    return orjson.dumps(frame).decode()


def new_message_id() -> str:
    return str(uuid.uuid4())  # 36 characters: the OCPP-J maximum


def sloppy_message_id() -> str:
    return f"{uuid.uuid4()}-sim"  # 40 characters: too long for OCPP-J


def sloppy_payload(action: str, payload: Payload) -> Payload:
    """The non-compliance of a ``sloppy`` station. BootNotification stays clean: it is how
    the CSMS learns which quirks to allow."""
    if action == "BootNotification":
        return payload
    mangled: Payload = {**payload, "simulatorNote": "sloppy"}
    for key in ("status", "connectorStatus"):
        if isinstance(mangled.get(key), str):
            mangled[key] = mangled[key].lower()
    return mangled


class RpcConnection:
    def __init__(
        self,
        ws: ClientConnection,
        handler: Handler,
        *,
        protocol: ProtocolVersion,
        call_timeout: float,
        spawn: Spawn,
        answer_calls: Callable[[], bool] = lambda: True,
        tap: FrameTap | None = None,
        sloppy: bool = False,
    ) -> None:
        self._ws = ws
        self._handler = handler
        self._protocol = protocol
        self._call_timeout = call_timeout
        self._spawn = spawn
        self._answer_calls = answer_calls
        self._tap = tap
        self._sloppy = sloppy
        self._lock = asyncio.Lock()
        self._pending: tuple[str, asyncio.Future[Payload]] | None = None
        self._raw_reply: asyncio.Future[str] | None = None
        self._answer_tasks: set[asyncio.Task[None]] = set()
        self.closed = asyncio.Event()
        self.last_call: SentCall | None = None

    async def run(self) -> None:
        """Read frames until the socket closes."""
        try:
            async for message in self._ws:
                text = message if isinstance(message, str) else message.decode(errors="replace")
                await self._route(text)
        except ConnectionClosed:
            pass
        finally:
            self.closed.set()
            if self._pending and not self._pending[1].done():
                self._pending[1].set_exception(ConnectionLost("socket closed"))
            for task in self._answer_tasks:
                task.cancel()

    async def call(
        self, action: str, payload: Payload, *, message_id: str | None = None
    ) -> Payload:
        """Send one CALL and wait for its result; raises OcppCallError, TimeoutError or
        ConnectionLost."""
        async with self._lock:
            unique_id = message_id or (sloppy_message_id() if self._sloppy else new_message_id())
            if self._sloppy:
                payload = sloppy_payload(action, payload)
            future: asyncio.Future[Payload] = asyncio.get_running_loop().create_future()
            self._pending = (unique_id, future)
            self.last_call = SentCall(unique_id, action, payload)
            try:
                await self._send_text(encode([CALL, unique_id, action, payload]))
                return await asyncio.wait_for(future, self._call_timeout)
            finally:
                self._pending = None

    async def send_raw(self, text: str, timeout: float) -> str | None:
        """Send any text as one frame; return the next CALLRESULT/CALLERROR (or unparsable
        frame) from the CSMS, or None after ``timeout``. Holds the call lock meanwhile, so the
        reply cannot be confused with one for our own CALL."""
        async with self._lock:
            self._raw_reply = asyncio.get_running_loop().create_future()
            try:
                await self._send_text(text)
                return await asyncio.wait_for(self._raw_reply, timeout)
            except TimeoutError:
                return None
            finally:
                self._raw_reply = None

    async def close(self, *, between_calls: bool = False) -> None:
        """Close the socket; ``between_calls`` first lets an outstanding CALL finish, so
        no reply is lost (an abrupt close leaves the CALL to be sent again later)."""
        if between_calls:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._call_timeout):
                    await self._lock.acquire()
                    self._lock.release()
        await self._ws.close()

    async def _send_text(self, text: str) -> None:
        if self._tap:
            self._tap("out", text)
        try:
            await self._ws.send(text)
        except ConnectionClosed as exc:
            raise ConnectionLost(str(exc)) from exc

    async def _route(self, text: str) -> None:
        if self._tap:
            self._tap("in", text)
        try:
            frame = orjson.loads(text)
        except orjson.JSONDecodeError:
            frame = None
        if not isinstance(frame, list) or len(frame) < 3 or not isinstance(frame[1], str):
            await self._on_malformed(text, frame)
        elif frame[0] == CALL:
            self._on_call(frame)
        elif frame[0] in (CALLRESULT, CALLERROR):
            self._on_reply(text, frame)
        else:
            await self._reply_error(frame[1], "MessageTypeNotSupported", f"type {frame[0]!r}")

    async def _on_malformed(self, text: str, frame: object) -> None:
        if self._raw_reply and not self._raw_reply.done():
            self._raw_reply.set_result(text)
            return
        message_id = "-1"
        if isinstance(frame, list) and len(frame) > 1 and isinstance(frame[1], str):
            message_id = frame[1]
        await self._reply_error(message_id, "RpcFrameworkError", "not an OCPP-J frame")

    def _on_call(self, frame: list[Any]) -> None:
        if not self._answer_calls():
            return  # half-open: the CSMS gets no answer
        if len(frame) != 4 or not isinstance(frame[2], str) or not isinstance(frame[3], dict):
            coro = self._reply_error(frame[1], "FormatViolation", "CALL must be [2,id,action,{}]")
            self._track(coro)
            return
        self._track(self._answer(frame[1], frame[2], frame[3]))

    def _track(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._answer_tasks.add(task)
        task.add_done_callback(self._answer_tasks.discard)

    def _on_reply(self, text: str, frame: list[Any]) -> None:
        if self._raw_reply and not self._raw_reply.done():
            self._raw_reply.set_result(text)
            return
        if not self._pending or self._pending[0] != frame[1] or self._pending[1].done():
            _LOG.debug("ignoring late or unknown reply %s", text[:200])
            return
        future = self._pending[1]
        if frame[0] == CALLRESULT and isinstance(frame[2], dict):
            future.set_result(frame[2])
        elif frame[0] == CALLERROR and len(frame) >= 4:
            details = frame[4] if len(frame) > 4 and isinstance(frame[4], dict) else {}
            future.set_exception(OcppCallError(str(frame[2]), str(frame[3]), details))
        else:
            future.set_exception(OcppCallError("FormatViolation", f"bad reply {text[:200]}"))

    async def _answer(self, message_id: str, action: str, payload: Payload) -> None:
        answer: Answer | None = None
        try:
            answer = await self._handler(action, payload)
            frame: list[Any] = [CALLRESULT, message_id, answer.payload]
        except OcppCallError as exc:
            code = error_code(exc.code, self._protocol)
            frame = [CALLERROR, message_id, code, exc.description, exc.details]
        except Exception as exc:  # a simulator bug must not kill the connection
            _LOG.exception("handler for %s failed", action)
            frame = [CALLERROR, message_id, "InternalError", repr(exc)[:200], {}]
        if not self._answer_calls():
            return
        try:
            await self._send_text(encode(frame))
        except ConnectionLost:
            return
        if answer and answer.then:
            self._spawn(_run_then(answer.then))

    async def _reply_error(self, message_id: str, code: str, description: str) -> None:
        frame = [CALLERROR, message_id, error_code(code, self._protocol), description, {}]
        with contextlib.suppress(ConnectionLost):
            await self._send_text(encode(frame))


async def _run_then(then: Callable[[], Awaitable[None]]) -> None:
    await then()


def drop_pongs_when(ws: ClientConnection, should_drop: Callable[[], bool]) -> None:
    """Fault injection: stop answering websocket pings while ``should_drop()`` is true.

    websockets answers pings inside its sans-I/O protocol object, so the only hook is the
    frame writer of that one connection object."""
    protocol = ws.protocol
    original = protocol.send_frame

    def send_frame(frame: Frame) -> None:
        if frame.opcode is Opcode.PONG and should_drop():
            return
        original(frame)

    protocol.send_frame = send_frame  # type: ignore[method-assign]
