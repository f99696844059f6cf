"""OcppSession: correlation, timeouts, the one-outstanding-CALL rule, replay, isolation."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from forecourt.ocpp.errors import ErrorKind, OcppError
from forecourt.ocpp.quirks import Quirks
from forecourt.ocpp.rpc import OcppVersion
from forecourt.ocpp.session import (
    CallFailed,
    CallTimeout,
    InvalidRequest,
    InvalidResponse,
    OcppSession,
    SessionClosed,
)

from .fakes import NOW, FakeTransport, RecordingObserver, ScriptedHandler, heartbeat, settle

# An outbound (CSMS -> station) action per version: (action, request, response).
RESET = {
    OcppVersion.V16: ("Reset", {"type": "Soft"}, {"status": "Accepted"}),
    OcppVersion.V201: ("Reset", {"type": "Immediate"}, {"status": "Accepted"}),
}


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


# ------------------------------------------------------------------ outbound


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


# ------------------------------------------------------------------- inbound


async def test_inbound_handler_can_await_an_outbound_call(
    ocpp_version: OcppVersion, fake_transport: FakeTransport
) -> None:
    action, request, response = RESET[ocpp_version]

    async def handler(inbound_action: str, payload: dict[str, Any]) -> dict[str, Any]:
        outcome = await session.call(action, request)
        assert outcome == response
        return {"currentTime": NOW}

    session = OcppSession(ocpp_version, fake_transport, handler)
    await session.receive(heartbeat("in-1"))
    outbound = await fake_transport.next_frame()
    assert outbound[2] == action
    await session.receive(result(outbound[1], response))
    assert await fake_transport.next_frame() == [3, "in-1", {"currentTime": NOW}]
    session.close()


async def test_outbound_answer_is_routed_while_an_inbound_call_is_blocked(
    ocpp_version: OcppVersion, fake_transport: FakeTransport
) -> None:
    handler = BlockingHandler(ocpp_version)
    session = OcppSession(ocpp_version, fake_transport, handler)
    await session.receive(heartbeat("blocked"))
    await settle()
    assert handler.started == ["Heartbeat"]

    _, _, response = RESET[ocpp_version]
    task, frame = await start_reset(session, fake_transport)
    await session.receive(result(frame[1], response))
    assert await task == response  # completed while the inbound CALL is still pending

    handler.release.set()
    assert await fake_transport.next_frame() == [3, "blocked", {"currentTime": NOW}]
    session.close()


async def test_inbound_calls_are_handled_one_at_a_time_in_arrival_order(
    ocpp_version: OcppVersion, fake_transport: FakeTransport
) -> None:
    handler = BlockingHandler(ocpp_version)
    session = OcppSession(ocpp_version, fake_transport, handler)
    await session.receive(heartbeat("first"))
    await session.receive(authorize(ocpp_version, "second"))
    await settle()
    assert handler.started == ["Heartbeat"]

    handler.release.set()
    assert (await fake_transport.next_frame())[1] == "first"
    assert (await fake_transport.next_frame())[1] == "second"
    assert handler.started == ["Heartbeat", "Authorize"]
    session.close()


async def test_resent_call_is_answered_from_cache_without_calling_the_handler(
    ocpp_session: OcppSession,
    fake_transport: FakeTransport,
    scripted_handler: ScriptedHandler,
    recording_observer: RecordingObserver,
) -> None:
    frame = authorize(ocpp_session.version, "dup-1")
    await ocpp_session.receive(frame)
    first = await fake_transport.next_frame()
    await ocpp_session.receive(frame)
    assert await fake_transport.next_frame() == first
    assert len(scripted_handler.calls) == 1
    assert ("Authorize", "inbound", "replayed") in recording_observer.events


async def test_resend_while_in_flight_gets_exactly_one_answer(
    ocpp_version: OcppVersion, fake_transport: FakeTransport
) -> None:
    handler = BlockingHandler(ocpp_version)
    session = OcppSession(ocpp_version, fake_transport, handler)
    frame = authorize(ocpp_version, "dup-2")
    await session.receive(frame)
    await settle()
    await session.receive(frame)
    handler.release.set()
    assert (await fake_transport.next_frame())[1] == "dup-2"
    await settle()
    assert fake_transport.pending_frames() == 0
    assert len(handler.calls) == 1
    session.close()


async def test_reused_message_id_with_a_different_call_is_handled_anew(
    ocpp_session: OcppSession, fake_transport: FakeTransport, scripted_handler: ScriptedHandler
) -> None:
    await ocpp_session.receive(authorize(ocpp_session.version, "same", token="AAA"))
    await fake_transport.next_frame()
    await ocpp_session.receive(authorize(ocpp_session.version, "same", token="BBB"))
    await fake_transport.next_frame()
    assert len(scripted_handler.calls) == 2


async def test_failures_are_not_cached_so_a_resend_is_retried(
    ocpp_session: OcppSession, fake_transport: FakeTransport, scripted_handler: ScriptedHandler
) -> None:
    scripted_handler.overrides["Heartbeat"] = {"wrong": True}  # invalid response -> InternalError
    await ocpp_session.receive(heartbeat("retry"))
    assert (await fake_transport.next_frame())[2] == "InternalError"
    del scripted_handler.overrides["Heartbeat"]
    await ocpp_session.receive(heartbeat("retry"))
    assert await fake_transport.next_frame() == [3, "retry", {"currentTime": NOW}]


async def test_handler_crash_is_logged_with_station_id_and_not_leaked(
    ocpp_session: OcppSession, fake_transport: FakeTransport, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="forecourt.ocpp")
    crash = {"vendorId": "test.raise", "messageId": "crash"}
    await ocpp_session.receive(json.dumps([2, "boom", "DataTransfer", crash]))
    reply = await fake_transport.next_frame()
    assert reply[2] == "InternalError"
    assert "hunter2" not in json.dumps(reply)
    assert "Traceback" not in json.dumps(reply)
    failures = [record for record in caplog.records if record.exc_info]
    assert failures
    ours = [record for record in caplog.records if record.name.startswith("forecourt.ocpp")]
    assert all(getattr(record, "station_id", None) == "CS-1" for record in ours)


async def test_handler_returning_a_non_dict_or_timing_out_is_an_internal_error(
    ocpp_version: OcppVersion, fake_transport: FakeTransport
) -> None:
    async def handler(action: str, payload: dict[str, Any]) -> Any:
        if action == "Heartbeat":
            return ["not", "a", "dict"]
        await asyncio.sleep(10)
        return {}

    session = OcppSession(ocpp_version, fake_transport, handler, handler_timeout=0.05)
    await session.receive(heartbeat("h"))
    assert (await fake_transport.next_frame())[2] == "InternalError"
    await session.receive(authorize(ocpp_version, "slow"))
    assert (await fake_transport.next_frame())[1:3] == ["slow", "InternalError"]
    session.close()


async def test_too_many_queued_calls_are_rejected_with_generic_error(
    ocpp_version: OcppVersion, fake_transport: FakeTransport
) -> None:
    handler = BlockingHandler(ocpp_version)
    session = OcppSession(ocpp_version, fake_transport, handler, inbound_queue_limit=1)
    await session.receive(heartbeat("c1"))
    await settle()  # c1 is now being handled
    await session.receive(heartbeat("c2"))  # queued
    await session.receive(heartbeat("c3"))  # queue full
    rejected = await fake_transport.next_frame()
    assert rejected[:3] == [4, "c3", "GenericError"]
    handler.release.set()
    assert [(await fake_transport.next_frame())[1] for _ in range(2)] == ["c1", "c2"]
    session.close()


# ----------------------------------------------------------------- lifecycle


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


class FlakyTransport(FakeTransport):
    def __init__(self) -> None:
        super().__init__()
        self.broken = True

    async def send_text(self, text: str) -> None:
        if self.broken:
            raise ConnectionError("socket gone")
        await super().send_text(text)


class BrokenObserver:
    def message(self, action: str, direction: str, outcome: str, seconds: float) -> None:
        raise RuntimeError("metrics backend down")


async def test_transport_and_observer_failures_do_not_escape_receive(
    ocpp_version: OcppVersion,
) -> None:
    fake_transport = FlakyTransport()
    session = OcppSession(
        ocpp_version, fake_transport, ScriptedHandler(ocpp_version), observer=BrokenObserver()
    )
    await session.receive("garbage")
    await session.receive(heartbeat("lost"))
    await settle()
    fake_transport.broken = False
    await session.receive(heartbeat("delivered"))
    assert (await fake_transport.next_frame())[1] == "delivered"
    session.close()


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


async def test_handler_ocpp_error_details_that_cannot_be_serialised_are_dropped(
    ocpp_version: OcppVersion, fake_transport: FakeTransport
) -> None:
    async def handler(action: str, payload: dict[str, Any]) -> dict[str, Any]:
        raise OcppError(ErrorKind.NOT_SUPPORTED, "nope", {"thing": object()})

    session = OcppSession(ocpp_version, fake_transport, handler)
    await session.receive(heartbeat("d"))
    assert await fake_transport.next_frame() == [4, "d", "NotSupported", "nope", {}]
    session.close()


async def test_resend_is_recognised_even_after_the_enum_quirk_rewrote_the_payload(
    fake_transport: FakeTransport,
) -> None:
    handler = ScriptedHandler(OcppVersion.V16)
    session = OcppSession(
        OcppVersion.V16, fake_transport, handler, quirks=Quirks(tolerate_lowercase_enums=True)
    )
    frame = json.dumps(
        [
            2,
            "sn-1",
            "StatusNotification",
            {"connectorId": 1, "errorCode": "noerror", "status": "available"},
        ]
    )
    await session.receive(frame)
    first = await fake_transport.next_frame()
    assert first == [3, "sn-1", {}]
    assert handler.calls[0][1]["status"] == "Available"  # the handler sees canonical values
    await session.receive(frame)
    assert await fake_transport.next_frame() == first
    assert len(handler.calls) == 1
    await session.wait_closed()


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

    async def handler(action: str, payload: dict[str, Any]) -> dict[str, Any]:
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
