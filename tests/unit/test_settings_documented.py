"""docs/configuration.md stays true: every setting is documented, and bad values are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from forecourt.settings import Settings

DOC = Path(__file__).parents[2] / "docs" / "configuration.md"


def test_every_setting_is_documented() -> None:
    text = DOC.read_text()
    missing = [n for n in Settings.model_fields if f"FORECOURT_{n.upper()}" not in text]
    assert missing == []


def test_protocols_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORECOURT_PROTOCOLS", "ocpp1.6, ocpp2.0.1")
    assert Settings().protocols == ["ocpp1.6", "ocpp2.0.1"]
    monkeypatch.setenv("FORECOURT_PROTOCOLS", "ocpp2.1,ocpp1.6")
    assert Settings().protocols == ["ocpp2.1", "ocpp1.6"]
    monkeypatch.delenv("FORECOURT_PROTOCOLS")
    assert Settings().protocols == ["ocpp2.1", "ocpp2.0.1", "ocpp1.6"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PROTOCOLS", "ocpp1.5"),
        ("PROTOCOLS", "ocpp2.1,ocpp2.1"),
        ("PORT", "70000"),
        ("LOG_LEVEL", "LOUD"),
        ("REGISTRATION_POLICY", "x"),
    ],
)
def test_bad_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(f"FORECOURT_{name}", value)
    with pytest.raises(ValidationError, match=name.lower()):
        Settings()
