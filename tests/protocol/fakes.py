"""Fakes for protocol tests: a recording transport, a scripted handler, an observer.

The transport is our own port, so a fake is the right test double here.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from forecourt.ocpp.errors import ErrorKind, OcppError
from forecourt.ocpp.session import OcppSession
from forecourt.ocpp.versions import OcppVersion

NOW = "2024-05-06T12:00:00Z"

# A valid response per (version, action) for the actions the tests send.
RESPONSES: dict[OcppVersion, dict[str, dict[str, Any]]] = {
    OcppVersion.V16: {
        "Heartbeat": {"currentTime": NOW},
        "BootNotification": {"status": "Accepted", "currentTime": NOW, "interval": 300},
        "Authorize": {"idTagInfo": {"status": "Accepted"}},
        "StatusNotification": {},
        "StartTransaction": {"idTagInfo": {"status": "Accepted"}, "transactionId": 7},
        "MeterValues": {},
        "DataTransfer": {"status": "Accepted"},
    },
    OcppVersion.V201: {
        "Heartbeat": {"currentTime": NOW},
        "BootNotification": {"status": "Accepted", "currentTime": NOW, "interval": 300},
        "Authorize": {"idTokenInfo": {"status": "Accepted"}},
        "StatusNotification": {},
        "MeterValues": {},
        "DataTransfer": {"status": "Accepted"},
    },
}
# 2.1 answers these messages exactly as 2.0.1 does.
RESPONSES[OcppVersion.V21] = RESPONSES[OcppVersion.V201]

# DataTransfer with this vendorId makes the handler fail; messageId names the failure.
RAISE_VENDOR = "test.raise"


class FakeTransport:
    """Records every frame the session sends and lets a test await the next one."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self._frames: asyncio.Queue[str] = asyncio.Queue()

    async def send_text(self, text: str) -> None:
        self.sent.append(text)
        self._frames.put_nowait(text)

    async def next_frame(self, timeout: float = 1.0) -> list[Any]:
        text = await asyncio.wait_for(self._frames.get(), timeout)
        frame = json.loads(text)
        assert isinstance(frame, list)
        return frame

    def pending_frames(self) -> int:
        return self._frames.qsize()


class ScriptedHandler:
    """Answers from RESPONSES; DataTransfer from RAISE_VENDOR raises on demand."""

    def __init__(self, version: OcppVersion) -> None:
        self.version = version
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.overrides: dict[str, dict[str, Any]] = {}

    async def __call__(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((action, payload))
        if action == "DataTransfer" and payload.get("vendorId") == RAISE_VENDOR:
            failure = payload.get("messageId", "")
            if failure == "crash":
                raise RuntimeError("database on fire: secret=hunter2")
            if failure == "invalid-response":
                return {"status": "NotAStatus"}
            raise OcppError(ErrorKind[failure], f"raised by handler: {failure}")
        if action in self.overrides:
            return self.overrides[action]
        return RESPONSES[self.version][action]


class RecordingObserver:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, str]] = []

    def message(self, action: str, direction: str, outcome: str, seconds: float) -> None:
        assert seconds >= 0
        self.events.append((action, direction, outcome))


async def settle(rounds: int = 10) -> None:
    """Let the session's inbound worker run until it is idle."""
    for _ in range(rounds):
        await asyncio.sleep(0)


def heartbeat(message_id: str = "hb-1") -> str:
    return json.dumps([2, message_id, "Heartbeat", {}])


# An outbound (CSMS -> station) action per version: (action, request, response).
RESET = {
    OcppVersion.V16: ("Reset", {"type": "Soft"}, {"status": "Accepted"}),
    OcppVersion.V201: ("Reset", {"type": "Immediate"}, {"status": "Accepted"}),
}
RESET[OcppVersion.V21] = RESET[OcppVersion.V201]


def authorize(version: OcppVersion, message_id: str, token: str = "04A2") -> str:
    if version is OcppVersion.V16:
        payload: dict[str, Any] = {"idTag": token}
    else:
        payload = {"idToken": {"idToken": token, "type": "ISO14443"}}
    return json.dumps([2, message_id, "Authorize", payload])


def result(message_id: str, payload: dict[str, Any]) -> str:
    return json.dumps([3, message_id, payload])


async def start_reset(
    session: OcppSession, transport: FakeTransport, timeout: float | None = None
) -> tuple[asyncio.Task[dict[str, Any]], list[Any]]:
    action, request, _ = RESET[session.version]
    task = asyncio.create_task(session.call(action, request, timeout=timeout))
    return task, await transport.next_frame()


class BlockingHandler(ScriptedHandler):
    """Blocks every call until `release` is set; records start order."""

    def __init__(self, version: OcppVersion) -> None:
        super().__init__(version)
        self.release = asyncio.Event()
        self.started: list[str] = []

    async def __call__(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.started.append(action)
        await self.release.wait()
        return await super().__call__(action, payload)


class FlakyTransport(FakeTransport):
    def __init__(self) -> None:
        super().__init__()
        self.broken = True

    async def send_text(self, text: str) -> None:
        if self.broken:
            raise ConnectionError("socket gone")
        await super().send_text(text)


class BrokenObserver:
    def message(self, _action: str, _direction: str, _outcome: str, _seconds: float) -> None:
        raise RuntimeError("metrics backend down")
