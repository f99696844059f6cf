"""One station's OCPP session on the production path (dispatcher, version adapter, real services,
real SQLite file) and the invariants every inbound frame must keep.

Used by the bounded property tests (``make test``) and by ``make fuzz`` (long, coverage-guided).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forecourt.domain.stations import RegistrationStatus
from forecourt.ocpp.adapter import Link, dispatcher
from forecourt.ocpp.errors import OcppError
from forecourt.ocpp.rpc import MAX_MESSAGE_ID_LENGTH
from forecourt.ocpp.session import OcppSession
from forecourt.ocpp.validation import validator_for
from forecourt.ocpp.versions import OcppVersion
from forecourt.services.core import Services
from forecourt.storage.database import Database
from tests.fuzz.ocpp_frames import ADAPTERS
from tests.protocol.spec_tables import SPEC_TABLES
from tests.support.harness import RecordingTransport, make_services

#: A reply comes at once on SQLite; this only bounds a hang.
REPLY_TIMEOUT = 10.0


class Broken(AssertionError):
    """An invariant failed (the message says which, with the frame that broke it)."""


@dataclass
class CrashLog(logging.Handler):
    """Collects every log record that carries a traceback (an unhandled exception)."""

    crashes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        logging.Handler.__init__(self, logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.crashes.append(f"{record.getMessage()}\n{self.format(record)}")

    def __hash__(self) -> int:
        return id(self)


@dataclass
class SessionRig:
    version: OcppVersion
    services: Services
    session: OcppSession
    transport: RecordingTransport
    link: Link

    async def send(self, text: str | bytes) -> list[list[Any]]:
        """Feed one frame, then a Heartbeat probe; the frames answered before the probe's reply
        (CSMS-initiated CALLs are set aside). Fails if the probe is not answered."""
        await self.session.receive(text)
        probe = f"probe-{uuid.uuid4().hex[:24]}"
        await self.session.receive(json.dumps([2, probe, "Heartbeat", {}]))
        replies = []
        while True:
            frame = await self.transport.next_frame(REPLY_TIMEOUT)
            if frame[0] == 2:
                continue  # our own CALL to the station: not an answer
            if frame[1] == probe:
                if frame[0] != 3 or "currentTime" not in frame[2]:
                    raise Broken(f"session no longer answers Heartbeat: {frame}")
                return replies
            replies.append(frame)


async def open_rig(directory: Path, version: OcppVersion) -> tuple[SessionRig, Database]:
    services, database = await make_services(directory)
    station_id = f"FUZZ-{version.name}"
    await services.network.add_station(station_id)
    link = Link(station_id, services.core, RegistrationStatus.ACCEPTED)
    transport = RecordingTransport()
    adapter = ADAPTERS[version]
    session = OcppSession(
        version,
        transport,
        dispatcher(adapter, link),
        station_id=station_id,
        call_timeout=0.5,
        handler_timeout=REPLY_TIMEOUT / 2,
    )
    return SessionRig(version, services, session, transport, link), database


def check_replies(rig: SessionRig, frame_text: str, replies: list[list[Any]]) -> None:
    """What was answered to ``frame_text``: one valid reply per CALL, none to anything else
    except a CALLERROR for a frame that is not even readable."""
    call = _as_call(frame_text)
    if call is None:
        if len(replies) > 1:
            raise Broken(f"{len(replies)} replies to one frame {frame_text!r}: {replies}")
        for reply in replies:
            _check_callerror(rig.version, reply, frame_text)
        return
    message_id, action = call
    if len(replies) != 1 or replies[0][1] != message_id:
        raise Broken(f"CALL {frame_text!r} got {len(replies)} replies: {replies}")
    reply = replies[0]
    if reply[0] == 3:
        _check_result(rig.version, action, reply[2], frame_text)
    else:
        _check_callerror(rig.version, reply, frame_text)


def _as_call(frame_text: str) -> tuple[str, str] | None:
    """(message id, action) when the frame is a readable CALL (it must then be answered)."""
    try:
        frame = json.loads(frame_text)
    except ValueError:
        return None
    if not (isinstance(frame, list) and len(frame) == 4 and frame[0] == 2):
        return None
    _, message_id, action, _ = frame
    if not isinstance(message_id, str) or not 0 < len(message_id) <= MAX_MESSAGE_ID_LENGTH:
        return None
    return message_id, action if isinstance(action, str) else ""


def _check_result(version: OcppVersion, action: str, payload: Any, frame_text: str) -> None:
    try:
        validator_for(version).validate_response(action, payload)
    except OcppError as invalid:
        raise Broken(f"CALLRESULT to {frame_text!r} breaks the schema: {invalid}") from invalid


def _check_callerror(version: OcppVersion, reply: list[Any], frame_text: str) -> None:
    if reply[0] != 4 or len(reply) != 5:
        raise Broken(f"not a CALLERROR in answer to {frame_text!r}: {reply}")
    code = reply[2]
    if code not in SPEC_TABLES[version]:
        raise Broken(f"CALLERROR code {code!r} is not in the {version.value} table")
    if code == "InternalError":  # the same code in both versions: a handler crashed
        raise Broken(f"the CSMS crashed on {frame_text!r}: {reply}")


@contextmanager
def crash_log() -> Iterator[CrashLog]:
    """Records tracebacks logged anywhere under ``forecourt`` while the block runs."""
    handler = CrashLog()
    logger = logging.getLogger("forecourt")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


async def exercise(rig: SessionRig, frame_text: str, log: CrashLog) -> None:
    """Send one frame and check every invariant; raises Broken with the reason."""
    log.crashes.clear()  # a failing example's traceback must not be blamed on the next one
    replies = await rig.send(frame_text)
    check_replies(rig, frame_text, replies)
    if log.crashes:
        crashes, log.crashes[:] = list(log.crashes), []
        raise Broken(f"traceback logged for {frame_text!r}:\n" + "\n".join(crashes))


def run_in(
    loop: asyncio.AbstractEventLoop, rig: SessionRig, frame_text: str, log: CrashLog
) -> None:
    loop.run_until_complete(exercise(rig, frame_text, log))
