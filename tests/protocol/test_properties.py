"""Property tests: whatever a station sends, `receive` never raises, answers at most once
with a well-formed frame, and the session keeps answering afterwards."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecourt.ocpp.rpc import Call, CallError, CallResult, encode_frame, parse_frame
from forecourt.ocpp.session import OcppSession
from forecourt.ocpp.validation import validator_for
from forecourt.ocpp.versions import OcppVersion

from .fakes import NOW, FakeTransport, ScriptedHandler, heartbeat, settle
from .spec_tables import SPEC_TABLES

PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=24)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=16,
)
known_actions = sorted(set().union(*(validator_for(version).actions() for version in OcppVersion)))
actions = st.sampled_from(known_actions) | st.text(max_size=16) | json_scalars
message_types = st.sampled_from([2, 3, 4]) | st.integers(min_value=-3, max_value=9) | json_scalars
message_ids = st.text(min_size=1, max_size=40) | json_scalars
# Frame-shaped arrays (the interesting part) and arbitrary arrays of any length.
frame_like = st.tuples(message_types, message_ids, actions, json_values).map(list) | st.lists(
    json_values, max_size=6
)
versions = st.sampled_from(list(OcppVersion))


def assert_well_formed_reply(text: str, version: OcppVersion) -> None:
    frame = json.loads(text)
    assert isinstance(frame, list)
    if frame[0] == 3:
        assert len(frame) == 3
        assert isinstance(frame[1], str)
        assert isinstance(frame[2], dict)
        return
    assert frame[0] == 4
    assert len(frame) == 5
    _, message_id, code, description, details = frame
    assert isinstance(message_id, str)
    assert message_id
    assert code in SPEC_TABLES[version]
    assert isinstance(description, str)
    assert len(description) <= 255
    assert isinstance(details, dict)


async def exercise(version: OcppVersion, inbound: str | bytes) -> None:
    transport = FakeTransport()
    session = OcppSession(version, transport, ScriptedHandler(version), handler_timeout=1.0)
    await session.receive(inbound)
    await settle()
    assert len(transport.sent) <= 1
    for text in transport.sent:
        assert_well_formed_reply(text, version)

    probe = f"p-{uuid.uuid4().hex}"  # no generated frame can collide with it
    await session.receive(heartbeat(probe))
    await settle()
    assert json.loads(transport.sent[-1]) == [3, probe, {"currentTime": NOW}]
    session.close()
    await settle()


@PROPERTY_SETTINGS
@given(version=versions, text=st.text(max_size=200))
def test_arbitrary_text(version: OcppVersion, text: str) -> None:
    asyncio.run(exercise(version, text))


@PROPERTY_SETTINGS
@given(version=versions, data=st.binary(max_size=200))
def test_arbitrary_bytes(version: OcppVersion, data: bytes) -> None:
    asyncio.run(exercise(version, data))


@PROPERTY_SETTINGS
@given(version=versions, value=json_values)
def test_arbitrary_json_values(version: OcppVersion, value: Any) -> None:
    asyncio.run(exercise(version, json.dumps(value)))


@PROPERTY_SETTINGS
@given(version=versions, value=frame_like)
def test_arbitrary_arrays(version: OcppVersion, value: list[Any]) -> None:
    asyncio.run(exercise(version, json.dumps(value)))


payloads = st.dictionaries(st.text(max_size=12), json_values, max_size=4)
ids = st.text(min_size=1, max_size=36)
frames = (
    st.builds(Call, ids, st.text(min_size=1, max_size=20), payloads)
    | st.builds(CallResult, ids, payloads)
    | st.builds(CallError, ids, st.text(max_size=20), st.text(max_size=50), payloads)
)


@settings(max_examples=300, deadline=None)
@given(frame=frames)
def test_encode_then_parse_round_trips(frame: Call | CallResult | CallError) -> None:
    assert parse_frame(encode_frame(frame), OcppVersion.V201) == frame
