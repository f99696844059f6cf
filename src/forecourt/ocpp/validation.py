"""JSON-schema validation of OCPP payloads against the official OCA schemas.

The schemas are the ones bundled with the `ocpp` package (ocpp/v16/schemas,
ocpp/v201/schemas, ocpp/v21/schemas). Each is compiled once with fastjsonschema, lazily on
first use, and cached; validators are shared process-wide through `validator_for`.

Failures map to error kinds per docs/adr/0002-callerror-codes.md.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Literal

import fastjsonschema
import orjson

from forecourt.ocpp.errors import ErrorKind, OcppError
from forecourt.ocpp.quirks import NO_QUIRKS, Quirks
from forecourt.ocpp.timestamps import is_timestamp
from forecourt.ocpp.versions import OcppVersion

Direction = Literal["request", "response"]
_CompiledSchema = Callable[[Any], Any]

_SCHEMA_DIRECTORIES: dict[OcppVersion, str] = {
    OcppVersion.V16: "v16/schemas",
    OcppVersion.V201: "v201/schemas",
    OcppVersion.V21: "v21/schemas",
}
# File name suffix per (version, direction); 1.6 request files carry no suffix.
_SUFFIXES: dict[OcppVersion, dict[Direction, str]] = {
    OcppVersion.V16: {"request": "", "response": "Response"},
    OcppVersion.V201: {"request": "Request", "response": "Response"},
    OcppVersion.V21: {"request": "Request", "response": "Response"},
}

_OCCURRENCE_RULES = frozenset(
    {"required", "minItems", "maxItems", "additionalItems", "minProperties", "maxProperties"}
)
_PROPERTY_RULES = frozenset(
    {
        "enum",
        "const",
        "maxLength",
        "minLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "format",
        "pattern",
    }
)
# Enum repairs are bounded so a hostile payload cannot make validation loop for long.
_MAX_ENUM_REPAIRS = 32


def schema_directory(version: OcppVersion) -> Traversable:
    """Where the `ocpp` package keeps the JSON schemas for `version`."""
    return resources.files("ocpp").joinpath(_SCHEMA_DIRECTORIES[version])


class SchemaValidator:
    """Validates the payloads of one OCPP version. Thread-safe; compiles lazily, once."""

    def __init__(self, version: OcppVersion, quirks: Quirks | None = None) -> None:
        quirks = quirks or NO_QUIRKS
        self.version = version
        self._lenient_additional_properties = quirks.lenient_additional_properties
        self._tolerate_lowercase_enums = quirks.tolerate_lowercase_enums
        self._directory = schema_directory(version)
        self._actions = _discover_actions(self._directory, version)
        self._compiled: dict[tuple[str, Direction], _CompiledSchema] = {}
        self._lock = threading.Lock()

    def actions(self) -> frozenset[str]:
        """Every action that has a request schema in this version."""
        return self._actions

    def validate_request(self, action: str, payload: dict[str, Any]) -> None:
        """Raise OcppError unless `payload` is a valid request for `action`."""
        self._validate(action, "request", payload)

    def validate_response(self, action: str, payload: dict[str, Any]) -> None:
        """Raise OcppError unless `payload` is a valid response for `action`."""
        self._validate(action, "response", payload)

    def compile_all(self) -> None:
        """Compile every schema now (startup warm-up, and a test that they all compile)."""
        for action in self._actions:
            self._schema(action, "request")
            self._schema(action, "response")

    def _validate(self, action: str, direction: Direction, payload: dict[str, Any]) -> None:
        if action not in self._actions:
            raise OcppError(
                ErrorKind.NOT_IMPLEMENTED,
                f"Action {action!r:.64} is not known by this receiver",
            )
        validate = self._schema(action, direction)
        for _ in range(_MAX_ENUM_REPAIRS):
            try:
                validate(payload)
                return
            except fastjsonschema.JsonSchemaValueException as exc:
                if not (self._tolerate_lowercase_enums and _repair_enum_case(payload, exc)):
                    raise _to_ocpp_error(exc) from None
            except Exception:  # e.g. an overflow inside a numeric check
                raise OcppError(ErrorKind.FORMAT, "Payload could not be validated") from None
        raise OcppError(ErrorKind.PROPERTY_CONSTRAINT, "Too many invalid enumeration values")

    def _schema(self, action: str, direction: Direction) -> _CompiledSchema:
        key = (action, direction)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key)
                if compiled is None:
                    compiled = self._compile(action, direction)
                    self._compiled[key] = compiled
        return compiled

    def _compile(self, action: str, direction: Direction) -> _CompiledSchema:
        name = f"{action}{_SUFFIXES[self.version][direction]}.json"
        # utf-8-sig: some published OCA schema files start with a byte order mark.
        schema = orjson.loads(self._directory.joinpath(name).read_text(encoding="utf-8-sig"))
        schema = _prepare(schema, lenient=self._lenient_additional_properties)
        compiled: _CompiledSchema = fastjsonschema.compile(
            schema,
            formats={"date-time": is_timestamp},
            use_default=False,  # validation must never rewrite the payload
        )
        return compiled


@functools.cache
def _shared_validator(
    version: OcppVersion, lenient_additional_properties: bool, tolerate_lowercase_enums: bool
) -> SchemaValidator:
    quirks = Quirks(
        lenient_additional_properties=lenient_additional_properties,
        tolerate_lowercase_enums=tolerate_lowercase_enums,
    )
    return SchemaValidator(version, quirks)


def validator_for(version: OcppVersion, quirks: Quirks | None = None) -> SchemaValidator:
    """The process-wide validator for `version` (one per combination of validation quirks)."""
    quirks = quirks or NO_QUIRKS
    return _shared_validator(
        version, quirks.lenient_additional_properties, quirks.tolerate_lowercase_enums
    )


def _discover_actions(directory: Traversable, version: OcppVersion) -> frozenset[str]:
    request_suffix = _SUFFIXES[version]["request"] + ".json"
    response_suffix = _SUFFIXES[version]["response"] + ".json"
    actions = set()
    for entry in directory.iterdir():
        name = entry.name
        if name.endswith(response_suffix) or not name.endswith(request_suffix):
            continue
        actions.add(name.removesuffix(request_suffix))
    return frozenset(actions)


def _prepare(schema: dict[str, Any], *, lenient: bool) -> dict[str, Any]:
    """Normalise an OCA schema for fastjsonschema.

    The 1.6 security-extension files carry a `urn:` "$id" (draft-04 files may use "id");
    every $ref is local, so the id only risks remote resolution and is dropped.
    """
    schema = copy.deepcopy(schema)
    for key in ("$id", "id"):
        if isinstance(schema.get(key), str):
            del schema[key]
    if lenient:
        _allow_additional_properties(schema)
    _bound_integers(schema)
    return schema


#: OCPP integers are 32-bit (2.0.1 Part 2, primitive datatypes; 1.6 implementations agree); the
#: schemas leave them unbounded, and a larger number would only fail later, in storage.
INT32 = {"minimum": -(2**31), "maximum": 2**31 - 1}
#: Except 1.6 energy registers (Wh): a busy DC meter passes 2^31 Wh (2.1 GWh) within its life,
#: and refusing its StopTransaction would lose the session. They stay exact floats (2^53); the
#: domain's plausibility rule quarantines absurd values instead of refusing the message.
REGISTER_FIELDS = frozenset({"meterStart", "meterStop"})
REGISTER_RANGE = {"minimum": -(2**53), "maximum": 2**53}


def _bound_integers(node: Any, name: str = "") -> None:
    if isinstance(node, list):
        for item in node:
            _bound_integers(item)
    elif isinstance(node, dict):
        if node.get("type") == "integer":
            limits = REGISTER_RANGE if name in REGISTER_FIELDS else INT32
            for rule, limit in limits.items():
                node.setdefault(rule, limit)
        properties = node.get("properties")
        for key, value in node.items():
            if key == "properties" and isinstance(properties, dict):
                for field, sub in properties.items():
                    _bound_integers(sub, field)
            else:
                _bound_integers(value)


def _allow_additional_properties(node: Any, *, is_schema_map: bool = False) -> None:
    if isinstance(node, list):
        for item in node:
            _allow_additional_properties(item)
    elif isinstance(node, dict):
        if not is_schema_map and node.get("additionalProperties") is False:
            del node["additionalProperties"]
        for key, value in node.items():
            nested_map = not is_schema_map and key in ("properties", "definitions")
            _allow_additional_properties(value, is_schema_map=nested_map)


def _field(exc: fastjsonschema.JsonSchemaValueException) -> str:
    # fastjsonschema names the payload "data": "data.idTagInfo.status" -> "idTagInfo.status".
    name = exc.name or "data"
    return name.removeprefix("data").lstrip(".")


def _kind(exc: fastjsonschema.JsonSchemaValueException, field: str) -> ErrorKind:
    rule = exc.rule or ""
    if rule == "type":
        # A payload that is not an object at all is malformed, not a mistyped field.
        return ErrorKind.TYPE_CONSTRAINT if field else ErrorKind.FORMAT
    if rule in _OCCURRENCE_RULES:
        return ErrorKind.OCCURRENCE_CONSTRAINT
    if rule in _PROPERTY_RULES:
        return ErrorKind.PROPERTY_CONSTRAINT
    return ErrorKind.FORMAT  # additionalProperties, and anything unforeseen


def _describe(exc: fastjsonschema.JsonSchemaValueException, field: str) -> str:
    rule = exc.rule or ""
    if rule == "required" and isinstance(exc.value, dict):
        missing = [name for name in exc.rule_definition or () if name not in exc.value]
        where = f" in {field}" if field else ""
        return f"Missing required field(s){where}: {', '.join(map(str, missing))}"
    if rule == "additionalProperties" and isinstance(exc.value, dict):
        definition = exc.definition if isinstance(exc.definition, dict) else {}
        known = definition.get("properties", {})
        unexpected = sorted(str(name) for name in exc.value if name not in known)
        where = f" in {field}" if field else ""
        return f"Unexpected field(s){where}: {', '.join(unexpected)}"
    message = str(exc.message or "")
    subject = field or "payload"
    return subject + message.removeprefix(exc.name or "data")


def _to_ocpp_error(exc: fastjsonschema.JsonSchemaValueException) -> OcppError:
    field = _field(exc)
    details = {"field": field} if field else {}
    return OcppError(_kind(exc, field), _describe(exc, field), details)


def _repair_enum_case(payload: Any, exc: fastjsonschema.JsonSchemaValueException) -> bool:
    """Rewrite a wrong-case enum value in place to its canonical spelling; True if done."""
    if exc.rule != "enum" or not isinstance(exc.value, str) or not exc.path:
        return False
    wanted = exc.value.casefold()
    matches = [v for v in exc.rule_definition or () if isinstance(v, str)]
    canonical = next((v for v in matches if v.casefold() == wanted), None)
    if canonical is None or canonical == exc.value:
        return False
    *parents, last = exc.path[1:]  # path[0] is the root "data"
    container = payload
    for step in parents:
        container = container[_index(container, step)]
    container[_index(container, last)] = canonical
    return True


def _index(container: Any, step: str) -> Any:
    # fastjsonschema reports array indices as strings ("0").
    return int(step) if isinstance(container, list) else step
