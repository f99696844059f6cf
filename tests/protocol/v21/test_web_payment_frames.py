"""OCPP 2.1 C25: NotifyWebPaymentStarted's golden frame, valid against the 2.1 schema; 1.6 and
2.0.1 refuse it before anything is sent."""

from __future__ import annotations

import pytest

from forecourt.domain.commands import CommandStatus, NotifyWebPaymentStarted
from forecourt.domain.device import MessageState, SetDisplayMessage
from forecourt.domain.errors import CommandNotSupported
from forecourt.ocpp.v16 import ADAPTER as V16
from forecourt.ocpp.v21 import ADAPTER
from forecourt.ocpp.v201 import ADAPTER as V201
from forecourt.ocpp.validation import validator_for
from forecourt.ocpp.versions import OcppVersion

VALIDATOR = validator_for(OcppVersion.V21)
COMMAND = NotifyWebPaymentStarted(evse_id=2, timeout_s=300)


def test_golden_request_and_answer() -> None:
    action, payload = ADAPTER.render(COMMAND)
    assert (action, payload) == ("NotifyWebPaymentStarted", {"evseId": 2, "timeout": 300})
    VALIDATOR.validate_request(action, payload)
    VALIDATOR.validate_response(action, {})
    assert ADAPTER.interpret(COMMAND, {}).status is CommandStatus.ACCEPTED


@pytest.mark.parametrize("adapter", [V16, V201], ids=["1.6", "2.0.1"])
def test_earlier_versions_refuse_it(adapter: object) -> None:
    with pytest.raises(CommandNotSupported, match="no NotifyWebPaymentStarted"):
        adapter.render(COMMAND)  # type: ignore[attr-defined]


def test_a_dynamic_code_on_the_screen_is_a_qr_code_on_21_and_a_uri_on_201() -> None:
    link = "https://csms.example/pay/ST-1/1?code=n.1.m"
    command = SetDisplayMessage(7201, link, state=MessageState.IDLE, qr_code=True)
    action, on_21 = ADAPTER.render(command)
    _, on_201 = V201.render(command)
    VALIDATOR.validate_request(action, on_21)
    validator_for(OcppVersion.V201).validate_request(action, on_201)
    assert on_21["message"]["message"] == {"format": "QRCODE", "language": "en", "content": link}
    assert on_201["message"]["message"]["format"] == "URI"
    plain = ADAPTER.render(SetDisplayMessage(7201, "Welcome"))[1]
    assert plain["message"]["message"]["format"] == "UTF8"
