"""Fixtures for the OCPP-J protocol tests (fakes live in fakes.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from forecourt.ocpp.session import OcppSession
from forecourt.ocpp.versions import OcppVersion

from .fakes import FakeTransport, RecordingObserver, ScriptedHandler, settle


@pytest.fixture(params=list(OcppVersion), ids=lambda version: version.value)
def ocpp_version(request: pytest.FixtureRequest) -> OcppVersion:
    assert isinstance(request.param, OcppVersion)
    return request.param


@pytest.fixture
def fake_transport() -> FakeTransport:
    return FakeTransport()


@pytest.fixture
def recording_observer() -> RecordingObserver:
    return RecordingObserver()


@pytest.fixture
def scripted_handler(ocpp_version: OcppVersion) -> ScriptedHandler:
    return ScriptedHandler(ocpp_version)


@pytest.fixture
async def ocpp_session(
    ocpp_version: OcppVersion,
    fake_transport: FakeTransport,
    scripted_handler: ScriptedHandler,
    recording_observer: RecordingObserver,
) -> AsyncIterator[OcppSession]:
    session = OcppSession(
        ocpp_version,
        fake_transport,
        scripted_handler,
        observer=recording_observer,
        station_id="CS-1",
        call_timeout=1.0,
    )
    yield session
    session.close()
    await settle()
