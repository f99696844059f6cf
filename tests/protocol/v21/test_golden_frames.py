"""Golden frames for 2.1: the 2.0.1 golden frames (every one, derived) plus 2.1's own."""

from __future__ import annotations

from typing import Any

import pytest

from forecourt.ocpp.v21 import ADAPTER
from forecourt.ocpp.v201.mapping import TOKEN_KIND
from forecourt.ocpp.validation import validator_for
from forecourt.ocpp.versions import OcppVersion
from tests.protocol.v201.test_golden_frames import GOLDEN as GOLDEN_201
from tests.protocol.v201.test_golden_frames import MONITORING_REPORT
from tests.protocol.v201.test_smart_charging_inbound import GOLDEN as SMART_CHARGING_GOLDEN
from tests.support.harness import ProtocolRig

VALIDATOR = validator_for(OcppVersion.V21)

#: Without a payments feature in the rig, a settlement is logged and no receipt is returned.
SETTLED = {
    "pspRef": "PSP-1",
    "status": "Settled",
    "settlementAmount": 12.34,
    "settlementTime": "2026-11-21T11:59:00Z",
    "transactionId": "TX-1",
}
#: 2.1 requires eventNotificationType on each reported monitor (2.0.1 has none).
MONITORING_REPORT_21 = {
    **MONITORING_REPORT,
    "monitor": [
        {
            **MONITORING_REPORT["monitor"][0],  # type: ignore[index]
            "variableMonitoring": [
                {
                    **MONITORING_REPORT["monitor"][0]["variableMonitoring"][0],  # type: ignore[index]
                    "eventNotificationType": "CustomMonitor",
                }
            ],
        }
    ],
}
GOLDEN_21: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("NotifySettlement", SETTLED, {}),
    ("NotifyMonitoringReport", MONITORING_REPORT_21, {}),
]
GOLDEN_SMART = [(action, request, reply) for action, request, reply, *_ in SMART_CHARGING_GOLDEN]
GOLDEN = [
    g for g in [*GOLDEN_201, *GOLDEN_SMART] if g[0] not in {a for a, _, _ in GOLDEN_21}
] + GOLDEN_21


def test_every_handler_has_a_golden_frame() -> None:
    assert {action for action, _, _ in GOLDEN} == set(ADAPTER.handlers)


@pytest.mark.parametrize(("action", "request_payload", "reply"), GOLDEN, ids=[g[0] for g in GOLDEN])
async def test_golden_reply(
    rig: ProtocolRig, action: str, request_payload: dict[str, Any], reply: dict[str, Any]
) -> None:
    from forecourt.domain.tokens import TokenRecord

    await rig.services.network.add_token(TokenRecord("CARD-1"))
    VALIDATOR.validate_request(action, request_payload)
    assert await rig.call("m-1", action, request_payload) == [3, "m-1", reply]


async def test_a_direct_payment_without_payments_is_not_accepted(rig: ProtocolRig) -> None:
    token = {"idToken": "PSP-9", "type": "DirectPayment"}
    assert await rig.call("a", "Authorize", {"idToken": token}) == [
        3, "a", {"idTokenInfo": {"status": "Unknown"}}
    ]  # fmt: skip


async def test_a_21_only_stop_reason_is_read(rig: ProtocolRig) -> None:
    ended = {
        "eventType": "Ended",
        "timestamp": "2026-11-21T11:59:00Z",
        "triggerReason": "AbnormalCondition",
        "seqNo": 1,
        "transactionInfo": {"transactionId": "TX-9", "stoppedReason": "ReqEnergyTransferRejected"},
    }
    assert await rig.call("e", "TransactionEvent", ended) == [3, "e", {}]


@pytest.mark.parametrize(
    ("payload", "code", "text", "details"),
    [
        (
            {"status": "Settled", "settlementAmount": 1, "settlementTime": "2026-11-21T11:59:00Z"},
            "OccurrenceConstraintViolation",
            "Missing required field(s): pspRef",
            {},
        ),
        (
            {**SETTLED, "status": "Paid"},
            "PropertyConstraintViolation",
            "status must be one of ['Settled', 'Canceled', 'Rejected', 'Failed']",
            {"field": "status"},
        ),
        (
            {**SETTLED, "settlementAmount": "12"},
            "TypeConstraintViolation",
            "settlementAmount must be number",
            {"field": "settlementAmount"},
        ),
        (
            {**SETTLED, "settlementAmount": -1},
            "PropertyConstraintViolation",
            "settlementAmount must be >= 0",
            {},
        ),
        ({**SETTLED, "receipt": "x"}, "FormatViolation", "Unexpected field(s): receipt", {}),
    ],
)
async def test_settlement_callerrors(
    rig: ProtocolRig, payload: dict[str, Any], code: str, text: str, details: dict[str, str]
) -> None:
    assert await rig.call("x", "NotifySettlement", payload) == [4, "x", code, text, details]


def test_direct_payment_is_not_a_201_token_type() -> None:
    assert "DirectPayment" not in TOKEN_KIND  # hence the translation in v21.mapping
