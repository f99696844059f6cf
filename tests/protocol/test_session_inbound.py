"""OcppSession inbound: ordering, isolation from outbound, replay, failures."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from forecourt.ocpp.errors import ErrorKind, OcppError
from forecourt.ocpp.quirks import Quirks
from forecourt.ocpp.session import (
    OcppSession,
)
from forecourt.ocpp.versions import OcppVersion

from .fakes import (
    NOW,
    RESET,
    BlockingHandler,
    BrokenObserver,
    FakeTransport,
    FlakyTransport,
    RecordingObserver,
    ScriptedHandler,
    authorize,
    heartbeat,
    result,
    settle,
    start_reset,
)


async def test_inbound_handler_can_await_an_outbound_call(
    ocpp_version: OcppVersion, fake_transport: FakeTransport
) -> None:
    action, request, response = RESET[ocpp_version]

    async def handler(_action: str, _payload: dict[str, Any]) -> dict[str, Any]:
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
    async def handler(action: str, _payload: dict[str, Any]) -> Any:
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


async def test_handler_ocpp_error_details_that_cannot_be_serialised_are_dropped(
    ocpp_version: OcppVersion, fake_transport: FakeTransport
) -> None:
    async def handler(_action: str, _payload: dict[str, Any]) -> dict[str, Any]:
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


async def test_an_idle_session_keeps_no_worker_task_and_the_next_call_starts_one(
    ocpp_version: OcppVersion, fake_transport: FakeTransport
) -> None:
    """Issue 12, idle memory: ten thousand idle stations must not each hold a parked task."""
    session = OcppSession(ocpp_version, fake_transport, ScriptedHandler(ocpp_version))
    before = inbound_workers()
    for n in range(3):
        await session.receive(heartbeat(f"hb-{n}"))
        assert (await fake_transport.next_frame())[:2] == [3, f"hb-{n}"]
        for _ in range(50):  # the worker ends once nothing waits (bounded)
            if not inbound_workers() - before:
                break
            await asyncio.sleep(0)
        assert not inbound_workers() - before
    session.close()


def inbound_workers() -> set[asyncio.Task[Any]]:
    return {t for t in asyncio.all_tasks() if t.get_name().startswith("ocpp-inbound")}
