"""Property tests of the frame -> session -> dispatcher -> services path, both versions, on real
services and a real SQLite file: every CALL gets exactly one reply (a schema-valid CALLRESULT or a
CALLERROR from the version's table, never InternalError), nothing logs a traceback, and the
session still answers a Heartbeat afterwards. Bounded and derandomized for CI; `make fuzz` runs
the same harness for longer, coverage-guided. Frames the fuzzer once broke stay as @example.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings

from forecourt.ocpp.versions import OcppVersion
from tests.fuzz.ocpp_frames import action_calls, any_frames, call_frame
from tests.fuzz.session_rig import CrashLog, SessionRig, crash_log, open_rig, run_in

V16, V201 = OcppVersion.V16, OcppVersion.V201
FUZZ_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: TransactionEvent(Ended) for transactionId "": rebuilt and stopped again forever (RecursionError).
EMPTY_TRANSACTION_ID = (
    "0",
    "TransactionEvent",
    {
        "eventType": "Ended",
        "timestamp": "2000-01-01T00:00:00Z",
        "triggerReason": "Authorized",
        "seqNo": 0,
        "transactionInfo": {"transactionId": ""},
    },
)

#: StartTransaction with a connectorId beyond 64 bits: storage could not bind it (InternalError).
HUGE_CONNECTOR_ID = (
    "m-1",
    "StartTransaction",
    {
        "connectorId": 2**63,
        "idTag": "\ufeff",
        "meterStart": 2**63,
        "timestamp": "2026-11-21T12:00:00Z",
    },
)


class Stations:
    """One rig per version for the module: examples share a database, as a station's life would."""

    def __init__(self, loop: asyncio.AbstractEventLoop, rigs: dict[OcppVersion, SessionRig]):
        self.loop, self.rigs = loop, rigs
        self.log: CrashLog | None = None

    def send(self, version: OcppVersion, frame_text: str) -> None:
        assert self.log is not None
        run_in(self.loop, self.rigs[version], frame_text, self.log)


@pytest.fixture(scope="module")
def stations(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stations]:
    loop = asyncio.new_event_loop()
    opened = {
        version: loop.run_until_complete(open_rig(tmp_path_factory.mktemp("fuzz"), version))
        for version in OcppVersion
    }
    fleet = Stations(loop, {version: rig for version, (rig, _) in opened.items()})
    with crash_log() as fleet.log:
        yield fleet
    for rig, database in opened.values():
        rig.session.close()
        loop.run_until_complete(database.dispose())
    loop.run_until_complete(asyncio.sleep(0.01))  # let the closed sessions' workers finish
    loop.close()


@FUZZ_SETTINGS
@example(call=HUGE_CONNECTOR_ID)
@given(call=action_calls(V16))
def test_schema_shaped_calls_16(stations: Stations, call: tuple[str, str, object]) -> None:
    stations.send(V16, call_frame(*call))


@FUZZ_SETTINGS
@example(call=EMPTY_TRANSACTION_ID)
@given(call=action_calls(V201))
def test_schema_shaped_calls_201(stations: Stations, call: tuple[str, str, object]) -> None:
    stations.send(V201, call_frame(*call))


@FUZZ_SETTINGS
@given(frame=any_frames(V16))
def test_any_frame_16(stations: Stations, frame: str) -> None:
    stations.send(V16, frame)


@FUZZ_SETTINGS
@example(frame=json.dumps([3, "unknown-id", {"status": "Accepted"}]))
@example(frame=json.dumps([4, "unknown-id", "GenericError", "", {}]))
@given(frame=any_frames(V201))
def test_any_frame_201(stations: Stations, frame: str) -> None:
    stations.send(V201, frame)
