"""The secret key through the real CLI: ``forecourt serve`` refuses the default or a short
one; ``forecourt demo`` makes one and keeps it in its data directory. And the /metrics
allow-list setting is checked at start."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from forecourt.cli import demo
from forecourt.settings import Settings
from tests.support.server import free_port


def test_metrics_allow_list_must_be_networks() -> None:
    assert Settings(metrics_allow="10.0.0.0/8, ::1/128").metrics_allow == ["10.0.0.0/8", "::1/128"]  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 network"):
        Settings(metrics_allow=["prometheus.local"])


@pytest.mark.parametrize(
    ("secret", "says"),
    [
        (None, "FORECOURT_SECRET_KEY is not set"),
        ("short", "FORECOURT_SECRET_KEY is shorter than 16"),
    ],
)
def test_serve_refuses_a_default_or_short_secret_key(
    tmp_path: Path, secret: str | None, says: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "FORECOURT_SECRET_KEY"}
    if secret is not None:
        env["FORECOURT_SECRET_KEY"] = secret
    result = subprocess.run(
        [sys.executable, "-m", "forecourt.cli.main", "serve", "--port", str(free_port())],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 2
    assert f"Refusing to start: {says}" in result.stderr
    assert not (tmp_path / "forecourt.db").exists()  # nothing started


def test_the_demo_makes_and_keeps_its_own_secret_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FORECOURT_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "var").mkdir()
    first = demo._demo_secret_key()
    assert first is not None
    assert len(first) >= 32
    assert demo._demo_secret_key() == first  # kept for the next run: sessions survive
    kept = tmp_path / "var" / "demo-secret-key.txt"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    monkeypatch.setenv("FORECOURT_SECRET_KEY", "an operator's own key, long enough")
    assert demo._demo_secret_key() is None  # the environment's key wins
