"""OcppSession outbound: correlation, timeouts, one outstanding CALL, close."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from forecourt.ocpp.errors import ErrorKind
from forecourt.ocpp.quirks import Quirks
from forecourt.ocpp.session import (
    CallFailed,
    CallTimeout,
    InvalidRequest,
    InvalidResponse,
    OcppSession,
    SessionClosed,
)
from forecourt.ocpp.versions import OcppVersion

from .fakes import (
    NOW,
    RESET,
    BlockingHandler,
    FakeTransport,
    FlakyTransport,
    RecordingObserver,
    ScriptedHandler,
    heartbeat,
    result,
    settle,
    start_reset,
)


async def test_outbound_call_is_correlated_by_message_id(
    ocpp_session: OcppSession, fake_transport: FakeTransport, recording_observer: RecordingObserver
) -> None:
    action, request, response = RESET[ocpp_session.version]
    task, frame = await start_reset(ocpp_session, fake_transport)
    assert frame[0] == 2
    assert frame[2:] == [action, request]

    await ocpp_session.receive(result("someone-else", response))  # unknown id: ignored
    await settle()
    assert not task.done()

    await ocpp_session.receive(result(frame[1], response))
    assert await task == response
    assert (action, "outbound", "ok") in recording_observer.events


async def test_timeout_releases_the_session_and_a_late_answer_is_ignored(
    ocpp_session: OcppSession, fake_transport: FakeTransport, caplog: pytest.LogCaptureFixture
) -> None:
    _, _, response = RESET[ocpp_session.version]
    task, first = await start_reset(ocpp_session, fake_transport, timeout=0.05)
    with pytest.raises(CallTimeout):
        await task

    caplog.set_level(logging.INFO, logger="forecourt.ocpp")
    await ocpp_session.receive(result(first[1], response))  # late answer
    assert "Late answer" in caplog.text
    assert len(fake_transport.sent) == 1  # nothing was sent in reply

    task, second = await start_reset(ocpp_session, fake_transport)
    assert second[1] != first[1]
    await ocpp_session.receive(result(second[1], response))
    assert await task == response


async def test_second_outbound_caller_waits_for_the_first(
    ocpp_session: OcppSession, fake_transport: FakeTransport
) -> None:
    action, request, response = RESET[ocpp_session.version]
    first = asyncio.create_task(ocpp_session.call(action, request))
    second = asyncio.create_task(ocpp_session.call(action, request))
    first_frame = await fake_transport.next_frame()
    await settle()
    assert fake_transport.pending_frames() == 0  # the second CALL has not been sent

    await ocpp_session.receive(result(first_frame[1], response))
    assert await first == response
    second_frame = await fake_transport.next_frame()
    await ocpp_session.receive(result(second_frame[1], response))
    assert await second == response


async def test_callerror_answer_raises_call_failed(
    ocpp_session: OcppSession, fake_transport: FakeTransport
) -> None:
    task, frame = await start_reset(ocpp_session, fake_transport)
    await ocpp_session.receive(json.dumps([4, frame[1], "NotSupported", "no resets here", {}]))
    with pytest.raises(CallFailed) as caught:
        await task
    assert caught.value.kind is ErrorKind.NOT_SUPPORTED
    assert caught.value.error.description == "no resets here"


async def test_schema_invalid_answer_raises_invalid_response_and_session_survives(
    ocpp_session: OcppSession, fake_transport: FakeTransport
) -> None:
    task, frame = await start_reset(ocpp_session, fake_transport)
    await ocpp_session.receive(result(frame[1], {"status": "Maybe"}))
    with pytest.raises(InvalidResponse) as caught:
        await task
    assert caught.value.error.kind is ErrorKind.PROPERTY_CONSTRAINT

    task, frame = await start_reset(ocpp_session, fake_transport)
    await ocpp_session.receive(json.dumps([3, frame[1], ["not", "an", "object"]]))
    with pytest.raises(InvalidResponse):
        await task
    assert len(fake_transport.sent) == 2  # malformed answers are never answered

    await ocpp_session.receive(heartbeat())
    assert (await fake_transport.next_frame())[0] == 3


async def test_invalid_request_is_not_sent(
    ocpp_session: OcppSession, fake_transport: FakeTransport
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await ocpp_session.call("Reset", {"type": "Sideways"})
    assert caught.value.error.kind is ErrorKind.PROPERTY_CONSTRAINT
    with pytest.raises(InvalidRequest) as unknown:
        await ocpp_session.call("MakeCoffee", {})
    assert unknown.value.error.kind is ErrorKind.NOT_IMPLEMENTED
    with pytest.raises(InvalidRequest):
        await ocpp_session.call("Reset", {"type": object()})
    assert fake_transport.sent == []


async def test_close_fails_the_pending_call_and_cancels_inbound_work(
    ocpp_version: OcppVersion, fake_transport: FakeTransport
) -> None:
    handler = BlockingHandler(ocpp_version)
    session = OcppSession(ocpp_version, fake_transport, handler)
    await session.receive(heartbeat("in-flight"))
    await settle()
    task, _ = await start_reset(session, fake_transport)

    session.close()
    with pytest.raises(SessionClosed):
        await task
    with pytest.raises(SessionClosed):
        await session.call(*RESET[ocpp_version][:2])
    await session.receive(heartbeat("after-close"))  # ignored, never raises
    handler.release.set()
    await settle()
    assert fake_transport.pending_frames() == 0
    assert session.closed


async def test_quirks_apply_to_an_existing_session(
    ocpp_version: OcppVersion, fake_transport: FakeTransport
) -> None:
    session = OcppSession(ocpp_version, fake_transport, ScriptedHandler(ocpp_version))
    long_id = "{" + "0" * 36 + "}"
    await session.receive(json.dumps([2, long_id, "Heartbeat", {"vendorExtra": 1}]))
    assert (await fake_transport.next_frame())[2] in {"FormationViolation", "RpcFrameworkError"}

    session.use_quirks(
        Quirks(
            lenient_message_id_length=True, lenient_additional_properties=True, call_timeout=0.05
        )
    )
    await session.receive(json.dumps([2, long_id, "Heartbeat", {"vendorExtra": 1}]))
    assert await fake_transport.next_frame() == [3, long_id, {"currentTime": NOW}]

    task, _ = await start_reset(session, fake_transport)  # no timeout given: the quirk's applies
    with pytest.raises(CallTimeout) as caught:
        await task
    assert caught.value.seconds == 0.05
    session.close()


async def test_outbound_send_failure_is_reported_as_session_closed(
    ocpp_version: OcppVersion, recording_observer: RecordingObserver
) -> None:
    transport = FlakyTransport()
    session = OcppSession(
        ocpp_version, transport, ScriptedHandler(ocpp_version), observer=recording_observer
    )
    action, request, _ = RESET[ocpp_version]
    with pytest.raises(SessionClosed):
        await session.call(action, request)
    assert (action, "outbound", "closed") in recording_observer.events
    await session.wait_closed()


async def test_wait_closed_waits_for_the_cancelled_handler(ocpp_version: OcppVersion) -> None:
    cancelled = asyncio.Event()

    async def handler(_action: str, _payload: dict[str, Any]) -> dict[str, Any]:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return {}

    session = OcppSession(ocpp_version, FakeTransport(), handler)
    await session.receive(heartbeat("long"))
    await settle()
    await session.wait_closed()
    assert cancelled.is_set()
    await session.wait_closed()  # idempotent
