"""Golden frames for every OCPP 1.6 action the CSMS handles: exact request in, exact reply out.

The rig runs the production path (session, schema validation, dispatcher, adapter, services,
SQLite) with a fixed clock of 2026-11-21T12:00:00Z.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from forecourt.domain.stations import RegistrationStatus
from forecourt.domain.tokens import TokenRecord
from forecourt.ocpp.v16 import ADAPTER
from forecourt.services.context import Policy
from tests.support.harness import ProtocolRig, make_rig, make_services

NOW = "2026-11-21T12:00:00.000Z"
NOW_REPLY = "2026-11-21T12:00:00Z"  # the CSMS writes UTC with at most ms precision


@pytest.fixture
async def rig(tmp_path: Path) -> ProtocolRig:
    services, _ = await make_services(tmp_path, policy=Policy(heartbeat_interval_s=300))
    await services.network.add_token(TokenRecord("TAG-OK"))
    await services.network.add_token(TokenRecord("TAG-BLOCKED", blocked=True))
    return await make_rig(services, ADAPTER)


GOLDEN: list[tuple[str, dict[str, Any], list[Any]]] = [
    (
        "BootNotification",
        {"chargePointVendor": "ACME", "chargePointModel": "DC-150"},
        [3, "g1", {"status": "Accepted", "currentTime": NOW_REPLY, "interval": 300}],
    ),
    ("Heartbeat", {}, [3, "g1", {"currentTime": NOW_REPLY}]),
    (
        "StatusNotification",
        {"connectorId": 1, "errorCode": "NoError", "status": "Preparing"},
        [3, "g1", {}],
    ),
    ("Authorize", {"idTag": "TAG-OK"}, [3, "g1", {"idTagInfo": {"status": "Accepted"}}]),
    ("Authorize", {"idTag": "TAG-BLOCKED"}, [3, "g1", {"idTagInfo": {"status": "Blocked"}}]),
    ("Authorize", {"idTag": "NOBODY"}, [3, "g1", {"idTagInfo": {"status": "Invalid"}}]),
    (
        "StartTransaction",
        {"connectorId": 1, "idTag": "TAG-OK", "meterStart": 100, "timestamp": NOW},
        [3, "g1", {"transactionId": 1, "idTagInfo": {"status": "Accepted"}}],
    ),
    (
        "StopTransaction",
        {"transactionId": 77, "meterStop": 200, "timestamp": NOW},
        [3, "g1", {}],
    ),
    (
        "MeterValues",
        {
            "connectorId": 1,
            "meterValue": [{"timestamp": NOW, "sampledValue": [{"value": "12.5", "unit": "kWh"}]}],
        },
        [3, "g1", {}],
    ),
    ("DataTransfer", {"vendorId": "com.example"}, [3, "g1", {"status": "UnknownVendorId"}]),
    ("DiagnosticsStatusNotification", {"status": "Uploaded"}, [3, "g1", {}]),
    ("FirmwareStatusNotification", {"status": "Installed"}, [3, "g1", {}]),
    (
        "SecurityEventNotification",
        {"type": "FirmwareUpdated", "timestamp": NOW},
        [3, "g1", {}],
    ),
    ("LogStatusNotification", {"status": "Uploaded", "requestId": 4}, [3, "g1", {}]),
    ("SignedFirmwareStatusNotification", {"status": "Installed"}, [3, "g1", {}]),
]


@pytest.mark.parametrize(("action", "payload", "expected"), GOLDEN, ids=[g[0] for g in GOLDEN])
async def test_golden_reply(
    rig: ProtocolRig, action: str, payload: dict[str, Any], expected: list[Any]
) -> None:
    assert await rig.call("g1", action, payload) == expected


async def test_pending_station_may_only_boot(tmp_path: Path) -> None:
    services, _ = await make_services(tmp_path)
    rig = await make_rig(services, ADAPTER, registration=RegistrationStatus.PENDING)
    reply = await rig.call("p1", "Heartbeat", {})
    assert reply[:3] == [4, "p1", "SecurityError"]


async def test_unhandled_but_known_action_is_not_supported(rig: ProtocolRig) -> None:
    # A CSMS->station action sent by a confused station: valid schema, no handler here.
    reply = await rig.call("n1", "ClearCache", {})
    assert reply[:3] == [4, "n1", "NotSupported"]


async def test_unknown_action_is_not_implemented(rig: ProtocolRig) -> None:
    reply = await rig.call("n2", "FlyToTheMoon", {})
    assert reply[:3] == [4, "n2", "NotImplemented"]


async def test_stop_with_token_answers_id_tag_info(rig: ProtocolRig) -> None:
    start = {"connectorId": 2, "idTag": "TAG-OK", "meterStart": 0, "timestamp": NOW}
    started = await rig.call("s1", "StartTransaction", start)
    stop = {"transactionId": started[2]["transactionId"], "idTag": "TAG-OK", "meterStop": 5000,
            "timestamp": "2026-11-21T12:30:00Z", "reason": "EVDisconnected"}  # fmt: skip
    assert await rig.call("s2", "StopTransaction", stop) == [
        3,
        "s2",
        {"idTagInfo": {"status": "Accepted"}},
    ]
