"""OCPP 1.6 rendering of the administration commands (issue 16): the password and single
configuration changes have 1.6 messages, schema-valid; 2.0.1-only ones are refused."""

from __future__ import annotations

import pytest

from forecourt.domain.commands import (
    CommandStatus,
    ConfigKey,
    GetMessageLimits,
    GetReport,
    GetTransactionStatus,
    NetworkProfile,
    Reset,
    SetConfiguration,
    SetConfigurationItems,
    SetNetworkProfile,
    SetStationPassword,
)
from forecourt.domain.errors import CommandNotSupported, InvalidInput
from forecourt.ocpp.v16 import ADAPTER
from forecourt.ocpp.validation import validator_for
from forecourt.ocpp.versions import OcppVersion

VALIDATOR = validator_for(OcppVersion.V16)


def test_the_password_is_the_authorization_key() -> None:
    action, payload = ADAPTER.render(SetStationPassword("a-long-generated-password"))
    assert (action, payload) == (
        "ChangeConfiguration",
        {"key": "AuthorizationKey", "value": "a-long-generated-password"},
    )
    VALIDATOR.validate_request(action, payload)
    result = ADAPTER.interpret(SetStationPassword("x"), {"status": "Accepted"})
    assert result.status is CommandStatus.ACCEPTED


def test_limits_and_one_key_per_change() -> None:
    assert ADAPTER.render(GetMessageLimits()) == (
        "GetConfiguration",
        {"key": ["GetConfigurationMaxKeys"]},
    )
    answer = {"configurationKey": [
        {"key": "GetConfigurationMaxKeys", "readonly": True, "value": "20"}]}  # fmt: skip
    limits = ADAPTER.interpret(GetMessageLimits(), answer)
    assert limits.data == {"set_items": 1, "get_items": 20}
    one = SetConfigurationItems((SetConfiguration(ConfigKey("HeartbeatInterval"), "60"),))
    assert ADAPTER.render(one) == (
        "ChangeConfiguration",
        {"key": "HeartbeatInterval", "value": "60"},
    )
    result = ADAPTER.interpret(one, {"status": "RebootRequired"})
    assert result.data == {"items": [{"key": "HeartbeatInterval", "status": "reboot_required"}]}
    with pytest.raises(CommandNotSupported):
        ADAPTER.render(SetConfigurationItems(one.items * 2))


@pytest.mark.parametrize(
    "command",
    [
        GetReport(),
        SetNetworkProfile(1, NetworkProfile("wss://x/ocpp")),
        GetTransactionStatus("1"),
    ],
)
def test_201_only_commands_are_not_supported(command: object) -> None:
    with pytest.raises(CommandNotSupported, match=r"OCPP 1\.6"):
        ADAPTER.render(command)  # type: ignore[arg-type]


def test_a_single_evse_reset_is_invalid_for_16() -> None:
    with pytest.raises(InvalidInput, match=r"not supported by OCPP 1\.6"):
        ADAPTER.render(Reset(evse_id=1))
