"""The log formatters: every field redacted and escaped, whatever logger wrote it."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from forecourt.observability.logging import TEXT_FORMAT, JsonFormatter, TextFormatter
from forecourt.observability.redaction import escape_controls, redact

SECRETS = {
    "basic header": ("< authorization: Basic Q1MtMTpzdXBlcnNlY3JldA==", "Q1MtMTpzdXBlcnNlY3JldA"),
    "bearer": ("GET /api with Bearer fc_live_0123456789abcdef", "fc_live_0123456789abcdef"),
    "1.6 idTag": ('[2,"1","Authorize",{"idTag":"RFID-SECRET"}]', "RFID-SECRET"),
    "2.0.1 idToken": ('{"idToken": {"idToken": "EMAID-SECRET", "type": "eMAID"}}', "EMAID-SECRET"),
    "AuthorizationKey": (
        '[2,"1","ChangeConfiguration",{"key":"AuthorizationKey","value":"0011aabbccdd"}]',
        "0011aabbccdd",
    ),
    "BasicAuthPassword": (
        '{"setVariableData":[{"attributeValue":"new-pass-123","component":{"name":'
        '"SecurityCtrlr"},"variable":{"name":"BasicAuthPassword"}}]}',
        "new-pass-123",
    ),
    "password repr": ("{'password': 'hunter2-secret'}", "hunter2-secret"),
    "password kv": ("login user=ops password=hunter2-secret done", "hunter2-secret"),
    "pem": (
        "cert -----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE----- end",
        "MIIBszCCAVmgAwIBAgIU",
    ),
    "db url": ("postgresql+asyncpg://forecourt:db-pass-42@db:5432/x", "db-pass-42"),
    "frame dump": ('< TEXT \'[2, "2", "Authorize", {"idTag": "T...}]\' [46 bytes]', "Authorize"),
}


@pytest.mark.parametrize("case", SECRETS, ids=list(SECRETS))
def test_credentials_are_redacted(case: str) -> None:
    text, secret = SECRETS[case]
    assert secret not in redact(text)
    assert "[redacted]" in redact(text)


def test_ordinary_text_is_left_alone() -> None:
    text = "handshake refused: bad credentials; idTagInfo status Accepted, TokenRecord kept"
    assert redact(text) == text


def test_control_characters_become_visible_escapes() -> None:
    assert (
        escape_controls("a\r\nb\tc\x00d\x1b[31me\u2028f") == "a\\r\\nb\\tc\\x00d\\x1b[31me\\u2028f"
    )


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.makeLogRecord(
        {"name": "forecourt.test", "levelno": logging.DEBUG, "levelname": "DEBUG"}
    )
    made.msg, made.args = message, args or None
    made.__dict__.update(extra)
    return made


def test_text_lines_are_single_and_clean() -> None:
    line = TextFormatter(TEXT_FORMAT).format(
        record("< %s: %s", "authorization", "Basic c2VjcmV0OnNlY3JldA==", station_id="a\r\nb")
    )
    assert "\n" not in line
    assert "\r" not in line
    assert "[a\\r\\nb]" in line
    assert "c2VjcmV0OnNlY3JldA" not in line


def test_a_long_station_id_is_cut() -> None:
    line = TextFormatter(TEXT_FORMAT).format(record("hello", station_id="x" * 8000))
    assert "(8000 chars)" in line
    assert len(line) < 300


def test_traceback_lines_are_indented_and_redacted() -> None:
    try:
        raise ValueError('bad frame {"idTag": "RFID-SECRET"}\r\n2026-01-01 CRITICAL forged')
    except ValueError:
        failed = record("failed")
        failed.exc_info = sys.exc_info()
    text = TextFormatter(TEXT_FORMAT).format(failed)
    first, *rest = text.split("\n")
    assert first.endswith("failed")
    assert rest
    assert all(line.startswith("    ") for line in rest)
    assert "RFID-SECRET" not in text


def test_json_lines_are_redacted_and_escaped() -> None:
    entry = json.loads(
        JsonFormatter().format(
            record("idTag=%s", "RFID-SECRET", station_id="a\nb", frame='{"idTag":"X-SECRET"}')
        )
    )
    assert entry["msg"] == 'idTag="[redacted]"'
    assert entry["station_id"] == "a\\nb"
    assert "X-SECRET" not in entry["frame"]


def test_the_record_itself_is_not_changed() -> None:
    original = record("idTag=%s", "RFID-SECRET", station_id="a\nb")
    TextFormatter(TEXT_FORMAT).format(original)
    assert original.getMessage() == "idTag=RFID-SECRET"
    assert original.station_id == "a\nb"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "hostile",
    [
        '"idTag": "' + "\\" * 5000,  # unterminated string of backslashes
        "a-" * 5000 + "://",  # a scheme-like run that never becomes a URL
        "< TEXT " * 2000,  # frame-dump lookalikes without a size
    ],
)
def test_redaction_stays_linear_on_hostile_text(hostile: str) -> None:
    # Exponential or quadratic backtracking would not return in any useful time.
    assert len(redact(hostile)) > 0
