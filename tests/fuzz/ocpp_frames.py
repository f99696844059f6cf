"""Hypothesis strategies for what a hostile or buggy station may send: OCPP-J frames for both
versions, from schema-shaped CALLs of real actions (so they reach the services) to random JSON.

Payloads follow the official request schema of the action (the same files the CSMS validates
with), then may be mutated: a field dropped, retyped, or replaced by an odd value. Numbers are
ordinary (finite) but may be huge; strings may hold odd unicode; nesting stays shallow.
"""

from __future__ import annotations

import json
from datetime import UTC
from functools import cache
from typing import Any

from hypothesis import strategies as st

from forecourt.ocpp import v16, v21, v201
from forecourt.ocpp.adapter import VersionAdapter
from forecourt.ocpp.validation import schema_directory, validator_for
from forecourt.ocpp.versions import OcppVersion

Json = Any
Schema = dict[str, Any]

#: Schema levels followed before values turn random; JSON nesting stays under 20 (deeply
#: nested JSON is another test's subject).
MAX_NESTING = 9

odd_text = st.text(max_size=24) | st.sampled_from(
    ["", " ", "\u0000", "\u202e", "\ufeff", "😀" * 8, "ǅ", "\U0010ffff", "a" * 300, "NULL", "-1"]
)
small_integers = st.integers(min_value=0, max_value=4)  # ids that exist: EVSE 1, connector 1
huge_integers = st.sampled_from([2**31 - 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 10**30, -(2**63)])
ordinary_numbers = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)
decimal_text = ordinary_numbers.map(str) | st.integers(0, 10**7).map(str)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | huge_integers
    | ordinary_numbers
    | odd_text
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(odd_text, inner, max_size=3),
    max_leaves=8,
)
instants = st.datetimes(timezones=st.just(UTC)).map(
    lambda at: at.isoformat().replace("+00:00", "Z")
)
timestamps = st.one_of(
    instants,
    instants,
    st.sampled_from(["2026-11-21T12:00:00Z", "2026-11-21T12:00:00.123+02:00", "not a time"]),
)


ADAPTERS: dict[OcppVersion, VersionAdapter] = {
    OcppVersion.V16: v16.ADAPTER,
    OcppVersion.V201: v201.ADAPTER,
    OcppVersion.V21: v21.ADAPTER,
}


@cache
def request_schema(version: OcppVersion, action: str) -> Schema | None:
    suffix = "Request" if version is OcppVersion.V201 else ""
    path = schema_directory(version) / f"{action}{suffix}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def inbound_actions(version: OcppVersion) -> list[str]:
    """Every action whose request schema the version ships (both directions: a station may send
    a CSMS-only action too)."""
    return sorted(a for a in validator_for(version).actions() if request_schema(version, a))


def from_schema(schema: Schema, root: Schema, depth: int = 0) -> st.SearchStrategy[Json]:
    """Values shaped by ``schema``: right types, enums, lengths; bounds only loosely kept."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return st.deferred(lambda: from_schema(root["definitions"][name], root, depth + 1))
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if depth > MAX_NESTING:
        return json_scalars
    if kind == "object":
        return _object(schema, root, depth)
    if kind == "array":
        return _array(schema, root, depth)
    if kind == "string":
        return _string(schema)
    if kind == "integer":
        ordinary = st.integers(min_value=schema.get("minimum", -(2**31)), max_value=2**31 - 1)
        return st.one_of(ordinary, ordinary, ordinary, small_integers, huge_integers)
    if kind == "number":
        return ordinary_numbers | st.integers(min_value=0, max_value=10**6)
    if kind == "boolean":
        return st.booleans()
    return json_values


def _array(schema: Schema, root: Schema, depth: int) -> st.SearchStrategy[Json]:
    items = from_schema(schema.get("items", {}), root, depth + 1)
    low = schema.get("minItems", 0)
    return st.lists(items, min_size=low, max_size=max(low, min(schema.get("maxItems", 3), 3)))


def _string(schema: Schema) -> st.SearchStrategy[Json]:
    if schema.get("format") == "date-time":
        return timestamps
    longest = schema.get("maxLength", 40)
    fitting = odd_text | decimal_text  # decimals: 1.6 meter readings are strings
    return st.text(max_size=longest) | fitting.filter(lambda text: len(text) <= longest)


def _object(schema: Schema, root: Schema, depth: int) -> st.SearchStrategy[Json]:
    properties: dict[str, Schema] = schema.get("properties", {})
    required = set(schema.get("required", []))
    fields = {name: from_schema(sub, root, depth + 1) for name, sub in properties.items()}
    return st.fixed_dictionaries(
        {name: fields[name] for name in properties if name in required},
        optional={name: fields[name] for name in properties if name not in required},
    )


@st.composite
def mutated(draw: st.DrawFn, payload: Json) -> Json:
    """The payload, or one of its top-level fields dropped, retyped or joined by a stranger."""
    if not isinstance(payload, dict):
        return payload
    choice = draw(st.sampled_from(["keep", "keep", "keep", "keep", "drop", "retype", "extra"]))
    if choice == "keep" or (choice in ("drop", "retype") and not payload):
        return payload
    changed = dict(payload)
    if choice == "extra":
        changed[draw(odd_text)] = draw(json_values)
        return changed
    name = draw(st.sampled_from(sorted(changed)))
    if choice == "drop":
        del changed[name]
    else:
        changed[name] = draw(json_values)
    return changed


@st.composite
def action_calls(draw: st.DrawFn, version: OcppVersion) -> tuple[str, str, Json]:
    """(message id, action, payload) of a CALL for a real action with a schema-shaped payload."""
    handled = sorted(ADAPTERS[version].handlers)  # mostly what the CSMS handles, sometimes any
    action = draw(st.sampled_from(handled) | st.sampled_from(inbound_actions(version)))
    schema = request_schema(version, action)
    assert schema is not None
    payload = draw(mutated(draw(from_schema(schema, schema))))
    return draw(message_ids), action, payload


message_ids = st.text(min_size=1, max_size=36) | st.sampled_from(["1", "m-1", "é" * 36])


def call_frame(message_id: str, action: str, payload: Json) -> str:
    return json.dumps([2, message_id, action, payload])


def any_frames(version: OcppVersion) -> st.SearchStrategy[str]:
    """Every kind of text frame a station might send."""
    calls = action_calls(version).map(lambda c: call_frame(*c))
    unknown_actions = st.tuples(message_ids, odd_text, json_values).map(lambda c: call_frame(*c))
    results = st.tuples(message_ids, json_values).map(lambda r: json.dumps([3, *r]))
    errors = st.tuples(message_ids, odd_text, odd_text, json_values).map(
        lambda e: json.dumps([4, *e])
    )
    wrong_shapes = st.lists(json_values, max_size=6).map(json.dumps)
    return st.one_of(
        calls,
        calls,
        calls,
        unknown_actions,
        results,
        errors,
        wrong_shapes,
        json_values.map(json.dumps),
    )
