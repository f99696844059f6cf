"""Golden frames: one literal request and the exact reply for every 2.0.1 action we handle.

The rig's clock is fixed at 2026-11-21T12:00:00Z; ``format_timestamp`` drops a zero fraction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from forecourt.domain.events import StationEventKind
from forecourt.domain.stations import RegistrationStatus
from forecourt.domain.tokens import TokenRecord
from forecourt.ocpp.v201 import ADAPTER
from tests.protocol.v201.test_smart_charging_inbound import GOLDEN as SMART_CHARGING_GOLDEN
from tests.support.harness import ProtocolRig, make_rig, make_services

NOW = "2026-11-21T12:00:00Z"

MONITORING_REPORT = {
    "requestId": 5,
    "seqNo": 0,
    "generatedAt": "2026-11-21T11:59:30Z",
    "tbc": False,
    "monitor": [
        {
            "component": {"name": "ChargingStation"},
            "variable": {"name": "Temperature"},
            "variableMonitoring": [
                {
                    "id": 1,
                    "transaction": False,
                    "value": 70,
                    "type": "UpperThreshold",
                    "severity": 4,
                }
            ],
        }
    ],
}
DISPLAY_MESSAGES = {
    "requestId": 3,
    "messageInfo": [
        {
            "id": 9,
            "priority": "AlwaysFront",
            "message": {"format": "UTF8", "language": "en", "content": "Maintenance"},
        }
    ],
}
CUSTOMER_INFORMATION = {
    "data": "CARD-1: 3 sessions stored",
    "seqNo": 0,
    "generatedAt": "2026-11-21T11:59:30Z",
    "requestId": 11,
}

BOOT = {
    "chargingStation": {
        "model": "DC-150",
        "vendorName": "Forecourt",
        "serialNumber": "SN-1",
        "firmwareVersion": "1.2.3",
    },
    "reason": "PowerUp",
}

STARTED = {
    "eventType": "Started",
    "timestamp": "2026-11-21T11:59:00Z",
    "triggerReason": "Authorized",
    "seqNo": 0,
    "transactionInfo": {"transactionId": "TX-1", "chargingState": "EVConnected"},
    "evse": {"id": 1, "connectorId": 1},
    "idToken": {"idToken": "CARD-1", "type": "ISO14443"},
    "meterValue": [
        {
            "timestamp": "2026-11-21T11:59:00Z",
            "sampledValue": [{"value": 1000, "context": "Transaction.Begin"}],
        }
    ],
}

REPORT = {
    "requestId": 7,
    "generatedAt": "2026-11-21T11:59:30Z",
    "seqNo": 0,
    "tbc": False,
    "reportData": [
        {
            "component": {"name": "OCPPCommCtrlr"},
            "variable": {"name": "HeartbeatInterval"},
            "variableAttribute": [{"value": "300", "mutability": "ReadWrite"}],
        }
    ],
}

EVENT = {
    "generatedAt": "2026-11-21T11:59:30Z",
    "seqNo": 0,
    "eventData": [
        {
            "eventId": 1,
            "timestamp": "2026-11-21T11:59:29Z",
            "trigger": "Alerting",
            "actualValue": "true",
            "eventNotificationType": "HardWiredNotification",
            "component": {"name": "Connector", "evse": {"id": 1, "connectorId": 1}},
            "variable": {"name": "Problem"},
        }
    ],
}

#: (action, request payload, expected reply payload) for every handled action.
GOLDEN: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("BootNotification", BOOT, {"currentTime": NOW, "interval": 300, "status": "Accepted"}),
    ("Heartbeat", {}, {"currentTime": NOW}),
    (
        "StatusNotification",
        {
            "timestamp": "2026-11-21T11:59:59.999Z",
            "connectorStatus": "Occupied",
            "evseId": 1,
            "connectorId": 1,
        },
        {},
    ),
    (
        "Authorize",
        {"idToken": {"idToken": "CARD-1", "type": "ISO14443"}},
        {"idTokenInfo": {"status": "Accepted"}},
    ),
    ("TransactionEvent", STARTED, {"idTokenInfo": {"status": "Accepted"}}),
    (
        "MeterValues",
        {
            "evseId": 0,
            "meterValue": [
                {
                    "timestamp": "2026-11-21T11:59:00Z",
                    "sampledValue": [
                        {"value": 12.5, "unitOfMeasure": {"unit": "kWh"}},
                        {"value": 230.1, "measurand": "Voltage", "phase": "L1-N"},
                    ],
                }
            ],
        },
        {},
    ),
    ("NotifyReport", REPORT, {}),
    ("NotifyEvent", EVENT, {}),
    (
        "SecurityEventNotification",
        {"type": "FirmwareUpdated", "timestamp": "2026-11-21T11:58:00Z", "techInfo": "1.2.3"},
        {},
    ),
    ("FirmwareStatusNotification", {"status": "Installed", "requestId": 3}, {}),
    ("LogStatusNotification", {"status": "Uploaded", "requestId": 4}, {}),
    (
        "PublishFirmwareStatusNotification",
        {"status": "Published", "requestId": 5, "location": ["http://lc.local/fw/1"]},
        {},
    ),
    ("NotifyMonitoringReport", MONITORING_REPORT, {}),
    ("NotifyDisplayMessages", DISPLAY_MESSAGES, {}),
    ("NotifyCustomerInformation", CUSTOMER_INFORMATION, {}),
    (
        "DataTransfer",
        {"vendorId": "org.openchargealliance.costmsg", "messageId": "x", "data": {"a": 1}},
        {"status": "Accepted"},
    ),
    ("ReservationStatusUpdate", {"reservationId": 9, "reservationUpdateStatus": "Expired"}, {}),
    (
        "Get15118EVCertificate",  # the rig configures no contract-certificate pool
        {
            "iso15118SchemaVersion": "urn:iso:15118:2:2013:MsgDef",
            "action": "Install",
            "exiRequest": "AAEC",
        },
        {
            "status": "Failed",
            "exiResponse": "",
            "statusInfo": {
                "reasonCode": "Failed",
                "additionalInfo": "no contract-certificate pool is configured",
            },
        },
    ),
    (
        "GetCertificateStatus",  # a responder that is not http(s) is never asked
        {
            "ocspRequestData": {
                "hashAlgorithm": "SHA256",
                "issuerNameHash": "ab",
                "issuerKeyHash": "cd",
                "serialNumber": "01",
                "responderURL": "ftp://ocsp.invalid",
            }
        },
        {"status": "Failed"},
    ),
    (  # tests/pki signs real CSRs; here no CA is set up yet
        "SignCertificate",
        {"csr": "-----BEGIN CERTIFICATE REQUEST-----"},
        {
            "status": "Rejected",
            "statusInfo": {
                "reasonCode": "InvalidCSR",
                "additionalInfo": "not a PEM certificate signing request",
            },
        },
    ),
]


def test_every_handler_has_a_golden_frame() -> None:
    smart_charging = {action for action, *_ in SMART_CHARGING_GOLDEN}  # their own file
    assert {action for action, _, _ in GOLDEN} | smart_charging == set(ADAPTER.handlers)


@pytest.mark.parametrize(("action", "request_payload", "reply"), GOLDEN, ids=[g[0] for g in GOLDEN])
async def test_golden_reply(
    rig: ProtocolRig, action: str, request_payload: dict[str, Any], reply: dict[str, Any]
) -> None:
    await rig.services.network.add_token(TokenRecord("CARD-1"))
    assert await rig.call("m-1", action, request_payload) == [3, "m-1", reply]


async def test_boot_updates_the_link_and_keeps_the_station_facts(rig: ProtocolRig) -> None:
    rig.link.registration = None
    assert await rig.call("b", "BootNotification", BOOT) == [
        3, "b", {"currentTime": NOW, "interval": 300, "status": "Accepted"}
    ]  # fmt: skip
    assert rig.link.registration is RegistrationStatus.ACCEPTED
    station = await rig.services.network.station("CS-1")
    assert (station.vendor, station.model, station.serial_number) == ("Forecourt", "DC-150", "SN-1")
    assert station.firmware_version == "1.2.3"
    [boot] = await rig.services.network.station_events("CS-1", StationEventKind.BOOT)
    assert boot.data["reason"] == "power_up"


async def test_pending_boot_then_other_messages_are_security_errors(tmp_path: Path) -> None:
    services, database = await make_services(tmp_path)
    rig = await make_rig(services, ADAPTER, registration=None)
    await services.network.update_station("CS-1", registration=RegistrationStatus.PENDING)
    assert await rig.call("b", "BootNotification", BOOT) == [
        3, "b", {"currentTime": NOW, "interval": 60, "status": "Pending"}
    ]  # fmt: skip
    assert rig.link.registration is RegistrationStatus.PENDING
    # B02.FR.09: until Accepted, only BootNotification is answered.
    assert await rig.call("h", "Heartbeat", {}) == [
        4, "h", "SecurityError", "station is not accepted; send BootNotification", {}
    ]  # fmt: skip
    rig.session.close()
    await database.dispose()


async def test_rejected_boot(tmp_path: Path) -> None:
    services, database = await make_services(tmp_path)
    rig = await make_rig(services, ADAPTER, registration=None)
    await services.network.update_station("CS-1", registration=RegistrationStatus.REJECTED)
    assert await rig.call("b", "BootNotification", BOOT) == [
        3, "b", {"currentTime": NOW, "interval": 60, "status": "Rejected"}
    ]  # fmt: skip
    assert await rig.call("s", "StatusNotification", GOLDEN[2][1]) == [
        4, "s", "SecurityError", "station is not accepted; send BootNotification", {}
    ]  # fmt: skip
    rig.session.close()
    await database.dispose()


async def test_unknown_action_is_not_implemented(rig: ProtocolRig) -> None:
    assert await rig.call("u", "FooBar", {}) == [
        4, "u", "NotImplemented", "Action 'FooBar' is not known by this receiver", {}
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        # Every 2.0.1 station->CSMS action is handled now (docs/ocpp-coverage.md), so the known
        # but unhandled ones are CSMS->station actions sent the wrong way.
        ("Reset", {"type": "Immediate"}),
        ("ClearCache", {}),
    ],
)
async def test_known_but_unhandled_action_is_not_supported(
    rig: ProtocolRig, action: str, payload: dict[str, Any]
) -> None:
    assert await rig.call("n", action, payload) == [
        4, "n", "NotSupported", f"{action} is not supported by this CSMS", {}
    ]  # fmt: skip


async def test_a_16_status_word_is_a_property_constraint_violation(rig: ProtocolRig) -> None:
    payload = {"timestamp": NOW, "connectorStatus": "Charging", "evseId": 1, "connectorId": 1}
    reply = await rig.call("p", "StatusNotification", payload)
    assert reply[:3] == [4, "p", "PropertyConstraintViolation"]
    assert reply[4] == {"field": "connectorStatus"}


async def test_a_missing_required_field_is_an_occurrence_constraint_violation(
    rig: ProtocolRig,
) -> None:
    reply = await rig.call("o", "TransactionEvent", {**STARTED, "transactionInfo": {}})
    assert reply[:3] == [4, "o", "OccurrenceConstraintViolation"]


async def test_unknown_unit_drops_that_reading_but_keeps_the_message(rig: ProtocolRig) -> None:
    sampled = [
        {"value": 1, "unitOfMeasure": {"unit": "furlong"}},
        {"value": 2.5, "unitOfMeasure": {"unit": "kVAh"}, "measurand": "Energy.Apparent.Import"},
        {"value": 7, "unitOfMeasure": {"unit": "kW"}, "measurand": "Power.Active.Import"},
    ]
    meter = [{"timestamp": NOW, "sampledValue": sampled}]
    reply = await rig.call("x", "MeterValues", {"evseId": 1, "meterValue": meter})
    assert reply == [3, "x", {}]
    async with rig.services.ctx.uow() as uow:
        kept = await uow.meter.latest_for_station("CS-1")
    assert sorted(s.sample.unit for s in kept) == ["VAh", "W"]


async def test_status_notification_is_stored_in_neutral_terms(rig: ProtocolRig) -> None:
    payload = {
        "timestamp": "2026-11-21T13:59:59.123456+02:00",
        "connectorStatus": "Faulted",
        "evseId": 2,
        "connectorId": 1,
    }
    assert await rig.call("s", "StatusNotification", payload) == [3, "s", {}]
    [entry] = await rig.services.network.status_history("CS-1")
    report = entry.report
    assert (report.evse_id, report.connector_id, report.status.value) == (2, 1, "faulted")
    assert report.timestamp == datetime(2026, 11, 21, 11, 59, 59, 123456, tzinfo=UTC)


async def test_authorize_answers_expiry_and_group(rig: ProtocolRig) -> None:
    expires = datetime(2027, 1, 1, tzinfo=UTC)
    await rig.services.network.add_token(TokenRecord("CARD-2", expires_at=expires, group="FLEET"))
    reply = await rig.call("a", "Authorize", {"idToken": {"idToken": "CARD-2", "type": "ISO15693"}})
    assert reply == [
        3,
        "a",
        {
            "idTokenInfo": {
                "status": "Accepted",
                "cacheExpiryDateTime": "2027-01-01T00:00:00Z",
                "groupIdToken": {"idToken": "FLEET", "type": "Central"},
            }
        },
    ]


async def test_authorize_with_an_unreadable_certificate_is_invalid(rig: ProtocolRig) -> None:
    """C07: a certificate is checked before the token; one that is no certificate at all
    refuses the token whatever its own status (the full checks: tests/plug_and_charge)."""
    await rig.services.network.add_token(TokenRecord("EMAID-1"))
    payload = {
        "idToken": {"idToken": "EMAID-1", "type": "eMAID"},
        "certificate": "-----BEGIN CERTIFICATE-----",
    }
    answer = {"idTokenInfo": {"status": "Invalid"}, "certificateStatus": "NoCertificateAvailable"}
    assert await rig.call("c", "Authorize", payload) == [3, "c", answer]


@pytest.mark.parametrize(
    ("action", "payload", "kind"),
    [
        ("NotifyReport", REPORT, StationEventKind.NOTIFY_REPORT),
        ("NotifyEvent", EVENT, StationEventKind.NOTIFY_EVENT),
        (
            "SecurityEventNotification",
            {"type": "TamperDetectionActivated", "timestamp": NOW},
            StationEventKind.SECURITY,
        ),
        ("FirmwareStatusNotification", {"status": "Downloading"}, StationEventKind.FIRMWARE_STATUS),
        ("LogStatusNotification", {"status": "Uploading"}, StationEventKind.LOG_STATUS),
        (
            "NotifyCustomerInformation",
            CUSTOMER_INFORMATION,
            StationEventKind.CUSTOMER_INFORMATION,
        ),
    ],
)
async def test_notifications_are_recorded_with_their_payload(
    rig: ProtocolRig, action: str, payload: dict[str, Any], kind: StationEventKind
) -> None:
    assert await rig.call("r", action, payload) == [3, "r", {}]
    [event] = await rig.services.network.station_events("CS-1", kind)
    assert event.data == payload


async def test_data_transfer_from_an_unknown_vendor(rig: ProtocolRig) -> None:
    payload = {"vendorId": "com.example", "messageId": "Hello", "data": "text"}
    assert await rig.call("d", "DataTransfer", payload) == [3, "d", {"status": "UnknownVendorId"}]
    [event] = await rig.services.network.station_events("CS-1", StationEventKind.DATA_TRANSFER)
    assert event.data == {"vendor_id": "com.example", "message_id": "Hello", "data": "text"}


async def test_data_transfer_json_data_is_kept_as_json_text(rig: ProtocolRig) -> None:
    payload = {"vendorId": "com.example", "data": {"b": [1, 2]}}
    await rig.call("d", "DataTransfer", payload)
    [event] = await rig.services.network.station_events("CS-1", StationEventKind.DATA_TRANSFER)
    assert event.data["data"] == '{"b":[1,2]}'
