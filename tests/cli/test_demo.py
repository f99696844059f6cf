"""`forecourt demo` through its real entry point: server, provisioning, fleet, printed URLs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.server import free_port


def test_demo_runs_a_fleet_and_prints_working_urls(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ, FORECOURT_LOG_LEVEL="WARNING")
    process = subprocess.Popen(
        [sys.executable, "-m", "forecourt.cli.main", "demo", "--port", str(port),
         "--stations", "2", "--duration", "25", "--speed", "120"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0, out
    key = re.search(r"API key: (fc_\S+)\)", out)
    login = re.search(r"login: admin / (\S+)\)", out)
    assert key is not None, out
    assert login is not None, out
    assert f"http://127.0.0.1:{port}/s/demo" in out
    summary = re.search(r"fleet stopped: (\d+) sessions, ([\d.]+) kWh", out)
    assert summary is not None, out
    assert int(summary.group(1)) >= 1
    # the printed credentials are the ones stored for the next run
    assert (tmp_path / "var" / "demo-api-key.txt").read_text().strip() == key.group(1)
    assert (tmp_path / "var" / "demo.db").exists()


def test_demo_rejects_an_unknown_protocol(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "forecourt.cli.main", "demo", "--protocol", "1.5"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "1.6, 2.0.1 or mixed" in result.stderr


def test_demo_server_answers_while_running(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "forecourt.cli.main", "demo", "--port", str(port),
         "--stations", "1", "--duration", "20"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if "Press Ctrl-C" in line:
                break
        key = (tmp_path / "var" / "demo-api-key.txt").read_text().strip()
        stations = httpx.get(
            f"http://127.0.0.1:{port}/api/stations",
            headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        )
        assert stations.status_code == 200
        assert [s["id"] for s in stations.json()] == ["DEMO-001"]
        assert httpx.get(f"http://127.0.0.1:{port}/s/demo", timeout=10).status_code == 200
    finally:
        process.terminate()
        process.wait(30)
