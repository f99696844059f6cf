"""Cluster mode's pure parts: commands survive the trip between nodes unchanged (nested
profiles, enums, tuples, datetimes); a request cannot name anything but a command; the
settings refuse cluster mode on SQLite with a message that says what to do."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from forecourt.cluster.codec import (
    COMMAND_TYPES,
    UnknownCommand,
    decode_command,
    decode_result,
    dumps,
    encode_command,
    encode_result,
    loads,
)
from forecourt.cluster.link import LinkConfig, subject_token
from forecourt.cluster.presence import station_key
from forecourt.domain.commands import (
    Command,
    CommandResult,
    CommandStatus,
    ConfigKey,
    RemoteStart,
    SetChargingProfile,
    SetConfiguration,
    SetConfigurationItems,
    TriggerKind,
    TriggerMessage,
)
from forecourt.domain.tokens import TokenKind
from forecourt.settings import Settings
from tests.protocol.test_smart_charging_frames import TX_PROFILE

COMMANDS: list[Command] = [
    SetChargingProfile(1, TX_PROFILE),
    SetConfigurationItems(
        (
            SetConfiguration(ConfigKey("HeartbeatInterval"), "60"),
            SetConfiguration(ConfigKey("Enabled", "AuthCtrlr", 1), "true"),
        )
    ),
    RemoteStart("TAG-1", evse_id=2, remote_start_id=9, token_kind=TokenKind.EMAID),
    TriggerMessage(TriggerKind.HEARTBEAT),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: type(c).__name__)
def test_a_command_crosses_between_nodes_unchanged(command: Command) -> None:
    assert decode_command(loads(dumps(encode_command(command)))) == command


def test_every_command_type_can_travel() -> None:
    assert "SetChargingProfile" in COMMAND_TYPES
    assert len(COMMAND_TYPES) > 40


def test_a_request_cannot_name_anything_but_a_command() -> None:
    with pytest.raises(UnknownCommand):
        decode_command({"type": "Settings", "fields": {}})


def test_results_cross_unchanged() -> None:
    result = CommandResult(CommandStatus.REJECTED, {"status": "Rejected"}, "busy")
    assert decode_result(loads(dumps(encode_result(result)))) == result


def test_keys_and_subjects_carry_any_station_or_host_name() -> None:
    assert station_key("CP/1 ä") != station_key("CP/1 a")
    assert set(station_key("CP/1 ä")) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )
    assert subject_token("fc-1.example.net") == "fc-1_example_net"
    config = LinkConfig.parse("nats://a:4222, nats://b:4222", "fc", "n1")
    assert config.servers == ("nats://a:4222", "nats://b:4222")
    assert config.subject("node", "n1", "command") == "fc.node.n1.command"


def test_cluster_mode_needs_postgresql() -> None:
    with pytest.raises(ValidationError, match="needs a shared PostgreSQL database"):
        Settings(nats_url="nats://127.0.0.1:4222", database_url="sqlite:///x.db")
    settings = Settings(
        nats_url="nats://127.0.0.1:4222", database_url="postgresql+asyncpg://u@h/db"
    )
    assert settings.cluster_mode
    assert settings.node_id  # host name and pid by default


def test_a_cluster_name_must_fit_a_subject_token() -> None:
    with pytest.raises(ValidationError):
        Settings(cluster_name="a.b")
