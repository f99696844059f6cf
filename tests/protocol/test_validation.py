"""Schema validation: coverage of every action, samples, error kinds, quirks, caching."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import fastjsonschema
import pytest

from forecourt.ocpp.errors import ErrorKind, OcppError
from forecourt.ocpp.quirks import Quirks
from forecourt.ocpp.validation import SchemaValidator, schema_directory, validator_for
from forecourt.ocpp.versions import OcppVersion

NOW = "2024-05-06T12:00:00Z"
V16, V201 = OcppVersion.V16, OcppVersion.V201

# Known-good minimal (request, response) pairs, built by hand from the specs.
SAMPLES: dict[OcppVersion, dict[str, tuple[dict[str, Any], dict[str, Any]]]] = {
    V16: {
        "Heartbeat": ({}, {"currentTime": NOW}),
        "BootNotification": (
            {"chargePointVendor": "ACME", "chargePointModel": "Fast-150"},
            {"status": "Accepted", "currentTime": NOW, "interval": 300},
        ),
        "Authorize": ({"idTag": "04A2B3C4"}, {"idTagInfo": {"status": "Accepted"}}),
        "StartTransaction": (
            {"connectorId": 1, "idTag": "04A2", "meterStart": 0, "timestamp": NOW},
            {"idTagInfo": {"status": "Accepted"}, "transactionId": 42},
        ),
        "StopTransaction": ({"meterStop": 1500, "timestamp": NOW, "transactionId": 42}, {}),
        "StatusNotification": (
            {"connectorId": 1, "errorCode": "NoError", "status": "Available"},
            {},
        ),
        "MeterValues": (
            {
                "connectorId": 1,
                "meterValue": [{"timestamp": NOW, "sampledValue": [{"value": "1.5"}]}],
            },
            {},
        ),
        "DataTransfer": ({"vendorId": "com.acme"}, {"status": "Accepted"}),
        "RemoteStartTransaction": (
            {
                "idTag": "04A2",
                "chargingProfile": {
                    "chargingProfileId": 1,
                    "stackLevel": 0,
                    "chargingProfilePurpose": "TxProfile",
                    "chargingProfileKind": "Absolute",
                    "chargingSchedule": {
                        "chargingRateUnit": "A",
                        # multipleOf 0.1 must hold for floats like 21.4 (binary 21.39999...).
                        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 21.4}],
                    },
                },
            },
            {"status": "Accepted"},
        ),
        "GetLog": (  # security extension schema with a urn: $id
            {"logType": "SecurityLog", "requestId": 1, "log": {"remoteLocation": "ftp://x/y"}},
            {"status": "Accepted"},
        ),
    },
    V201: {
        "Heartbeat": ({}, {"currentTime": NOW}),
        "BootNotification": (
            {"reason": "PowerUp", "chargingStation": {"model": "Fast-150", "vendorName": "ACME"}},
            {"status": "Accepted", "currentTime": NOW, "interval": 300},
        ),
        "Authorize": (
            {"idToken": {"idToken": "04A2", "type": "ISO14443"}},
            {"idTokenInfo": {"status": "Accepted"}},
        ),
        "TransactionEvent": (
            {
                "eventType": "Started",
                "timestamp": NOW,
                "triggerReason": "Authorized",
                "seqNo": 0,
                "transactionInfo": {"transactionId": "tx-1"},
            },
            {},
        ),
        "StatusNotification": (
            {"timestamp": NOW, "connectorStatus": "Available", "evseId": 1, "connectorId": 1},
            {},
        ),
        "MeterValues": (
            {"evseId": 1, "meterValue": [{"timestamp": NOW, "sampledValue": [{"value": 1.5}]}]},
            {},
        ),
        "GetVariables": (
            {
                "getVariableData": [
                    {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "X"}}
                ]
            },
            {
                "getVariableResult": [
                    {
                        "attributeStatus": "Accepted",
                        "component": {"name": "OCPPCommCtrlr"},
                        "variable": {"name": "X"},
                    }
                ]
            },
        ),
        "DataTransfer": ({"vendorId": "com.acme"}, {"status": "Accepted"}),
    },
}

SAMPLE_CASES = [
    (version, action, pair)
    for version, samples in SAMPLES.items()
    for action, pair in samples.items()
]


#: 2.1's one SEND message (RPC message type 6: no response, so no request/response pair);
#: our RPC layer does not accept SENDs yet, so it is no action.
UNPAIRED = frozenset({"NotifyPeriodicEventStream.json"})


@pytest.mark.parametrize("version", list(OcppVersion), ids=lambda version: version.value)
def test_actions_cover_every_schema_file_and_every_schema_compiles(version: OcppVersion) -> None:
    validator = SchemaValidator(version)
    files = {entry.name for entry in schema_directory(version).iterdir()}
    request_suffix = "" if version is V16 else "Request"
    expected = set()
    for action in validator.actions():
        expected |= {f"{action}{request_suffix}.json", f"{action}Response.json"}
    assert {name for name in files if name.endswith(".json")} - UNPAIRED == expected
    validator.compile_all()  # raises if any schema fails to compile


def test_action_counts_match_the_bundled_schemas() -> None:
    # OCPP 1.6 (28 core + 11 security-whitepaper actions) and OCPP 2.0.1 (64 actions).
    assert len(SchemaValidator(V16).actions()) == 39
    assert len(SchemaValidator(V201).actions()) == 64


@pytest.mark.parametrize(
    ("version", "action", "pair"),
    SAMPLE_CASES,
    ids=[f"{case[0].value}-{case[1]}" for case in SAMPLE_CASES],
)
def test_known_good_samples_pass(
    version: OcppVersion, action: str, pair: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    request, response = copy.deepcopy(pair)
    validator = validator_for(version)
    validator.validate_request(action, request)
    validator.validate_response(action, response)
    assert (request, response) == pair  # validation never rewrites a payload


def kind_of(check: Callable[[], None]) -> ErrorKind:
    with pytest.raises(OcppError) as caught:
        check()
    return caught.value.kind


@pytest.mark.parametrize(
    ("version", "action", "payload", "kind"),
    [
        (V16, "Nope", {}, ErrorKind.NOT_IMPLEMENTED),
        (V201, "StartTransaction", {}, ErrorKind.NOT_IMPLEMENTED),
        (V16, "Authorize", {}, ErrorKind.OCCURRENCE_CONSTRAINT),
        (V16, "Authorize", {"idTag": 5}, ErrorKind.TYPE_CONSTRAINT),
        (V16, "Authorize", {"idTag": "x" * 21}, ErrorKind.PROPERTY_CONSTRAINT),
        (V16, "Authorize", {"idTag": "A", "extra": 1}, ErrorKind.FORMAT),
        # draft-04: 1.0 is a number, not an integer.
        (
            V16,
            "StatusNotification",
            {"connectorId": 1.0, "errorCode": "NoError", "status": "Available"},
            ErrorKind.TYPE_CONSTRAINT,
        ),
        (
            V201,
            "TransactionEvent",
            {
                "eventType": "Started",
                "timestamp": "not a time",
                "triggerReason": "Authorized",
                "seqNo": 0,
                "transactionInfo": {"transactionId": "tx-1"},
            },
            ErrorKind.PROPERTY_CONSTRAINT,
        ),
        (
            V201,
            "GetVariables",
            {"getVariableData": []},
            ErrorKind.OCCURRENCE_CONSTRAINT,
        ),
        (
            V201,
            "BootNotification",
            {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": True}},
            ErrorKind.TYPE_CONSTRAINT,
        ),
    ],
)
def test_request_failures_map_to_kinds(
    version: OcppVersion, action: str, payload: dict[str, Any], kind: ErrorKind
) -> None:
    validator = validator_for(version)
    assert kind_of(lambda: validator.validate_request(action, payload)) is kind


def test_multiple_of_is_checked_exactly() -> None:
    request = copy.deepcopy(SAMPLES[V16]["RemoteStartTransaction"][0])
    periods = request["chargingProfile"]["chargingSchedule"]["chargingSchedulePeriod"]
    periods[0]["limit"] = 4.11
    validator = validator_for(V16)
    assert kind_of(lambda: validator.validate_request("RemoteStartTransaction", request)) is (
        ErrorKind.PROPERTY_CONSTRAINT
    )


@pytest.mark.parametrize(
    "timestamp",
    ["2024-05-06T12:00:00Z", "2024-05-06T14:00:00.123456789+02:00", "2024-05-06T12:00:00"],
)
def test_date_time_format_accepts_what_real_stations_send(timestamp: str) -> None:
    payload = {"meterStop": 1, "timestamp": timestamp, "transactionId": 1}
    validator_for(V16).validate_request("StopTransaction", payload)


def test_responses_are_validated_with_the_response_schema() -> None:
    validator = validator_for(V16)
    validator.validate_response("Heartbeat", {"currentTime": NOW})
    assert kind_of(lambda: validator.validate_response("Heartbeat", {})) is (
        ErrorKind.OCCURRENCE_CONSTRAINT
    )


def test_lenient_additional_properties_quirk() -> None:
    payload: dict[str, Any] = {
        "idToken": {"idToken": "A", "type": "ISO14443", "extra": 1},
        "bonus": True,
    }
    strict = validator_for(V201)
    assert kind_of(lambda: strict.validate_request("Authorize", payload)) is ErrorKind.FORMAT
    lenient = validator_for(V201, Quirks(lenient_additional_properties=True))
    lenient.validate_request("Authorize", payload)
    # Other constraints still hold.
    payload["idToken"]["type"] = "Bogus"
    assert kind_of(lambda: lenient.validate_request("Authorize", payload)) is (
        ErrorKind.PROPERTY_CONSTRAINT
    )


def test_lowercase_enum_quirk_rewrites_to_the_canonical_spelling() -> None:
    payload: dict[str, Any] = {
        "connectorId": 1,
        "meterValue": [
            {
                "timestamp": NOW,
                "sampledValue": [
                    {"value": "1", "unit": "kwh", "measurand": "energy.active.import.register"},
                    {"value": "2", "unit": "KW"},
                ],
            }
        ],
    }
    strict = validator_for(V16)
    assert kind_of(lambda: strict.validate_request("MeterValues", copy.deepcopy(payload))) is (
        ErrorKind.PROPERTY_CONSTRAINT
    )
    validator_for(V16, Quirks(tolerate_lowercase_enums=True)).validate_request(
        "MeterValues", payload
    )
    samples = payload["meterValue"][0]["sampledValue"]
    assert samples[0]["unit"] == "kWh"
    assert samples[0]["measurand"] == "Energy.Active.Import.Register"
    assert samples[1]["unit"] == "kW"


def test_lowercase_enum_quirk_still_rejects_unknown_values() -> None:
    validator = validator_for(V16, Quirks(tolerate_lowercase_enums=True))
    payload = {"connectorId": 1, "errorCode": "NoError", "status": "Broken"}
    assert kind_of(lambda: validator.validate_request("StatusNotification", payload)) is (
        ErrorKind.PROPERTY_CONSTRAINT
    )


def test_validators_are_shared_per_version_and_validation_quirks() -> None:
    assert validator_for(V16) is validator_for(V16)
    assert validator_for(V16) is validator_for(V16, Quirks(call_timeout=5.0, reason="slow"))
    assert validator_for(V16) is not validator_for(V16, Quirks(tolerate_lowercase_enums=True))
    assert validator_for(V16) is not validator_for(V201)


def test_schemas_are_compiled_once_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    real_compile = fastjsonschema.compile

    def counting_compile(schema: dict[str, Any], **kwargs: Any) -> Any:
        compiled.append(str(schema.get("title", schema.get("$id", "?"))))
        return real_compile(schema, **kwargs)

    monkeypatch.setattr(fastjsonschema, "compile", counting_compile)
    validator = SchemaValidator(V16)
    assert compiled == []  # nothing compiled up front
    for _ in range(100):
        validator.validate_request("Heartbeat", {})
        validator.validate_response("Heartbeat", {"currentTime": NOW})
    assert len(compiled) == 2
