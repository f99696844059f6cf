"""`forecourt demo` through its real entry point: server, provisioning, fleet, printed URLs."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.server import free_port


def test_demo_runs_a_fleet_and_prints_working_urls(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ, FORECOURT_LOG_LEVEL="WARNING")
    process = subprocess.Popen(
        [sys.executable, "-m", "forecourt.cli.main", "demo", "--port", str(port),
         "--stations", "2", "--duration", "45"],  # real time: long enough for a car to come
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
        _stop(process)


def _stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM, then read what is left and close the pipe (an open pipe leaks its file)."""
    process.terminate()
    process.communicate(timeout=30)


def _start_demo(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], str, str]:
    """A running demo, its printed banner, and the API key it printed."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "forecourt.cli.main", "demo", "--port", str(port), *args],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    banner = []
    for line in process.stdout:
        banner.append(line)
        if "Press Ctrl-C" in line:
            break
    key = (tmp_path / "var" / "demo-api-key.txt").read_text().strip()
    return process, "".join(banner), key


def test_demo_prices_a_free_port_and_prints_where_to_pay_by_card(tmp_path: Path) -> None:
    process, banner, key = _start_demo(tmp_path, "--stations", "1", "--duration", "30")
    try:
        pay_url = re.search(r"Try paying by card: (\S+)", banner)
        assert pay_url is not None, banner
        base = pay_url.group(1).split("/pay/")[0]
        price = httpx.get(f"{base}/api/prices/DEMO-001/1", timeout=10)
        assert price.status_code == 200, price.text
        assert price.json()["pay_url"] == pay_url.group(1)
        page = httpx.get(pay_url.group(1), timeout=10)
        assert page.status_code == 200
        assert "Pay by card" in page.text or "pay by card" in page.text.lower()
        # a visitor finds the port free: the simulated drivers leave it alone
        time.sleep(8)
        active = httpx.get(
            f"{base}/api/transactions", params={"state": "active"},
            headers={"Authorization": f"Bearer {key}"}, timeout=10,
        ).json()  # fmt: skip
        assert not [
            t for t in active["items"] if t["station_id"] == "DEMO-001" and t["evse_id"] == 1
        ]
    finally:
        _stop(process)


@pytest.mark.slow
def test_the_demo_fleet_is_physically_plausible_and_raises_no_alarms(tmp_path: Path) -> None:
    """Real time by default: no meter anomalies, no faults, energy a real site could deliver."""
    run_s = 40.0
    process, banner, _ = _start_demo(tmp_path, "--stations", "3", "--duration", str(run_s))
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0, banner + out
    summary = re.search(r"fleet stopped: (\d+) sessions, ([\d.]+) kWh", out)
    assert summary is not None, out
    # three stations: 2 × 150 kW + 2 × 11.5 kW + 350 kW; at most that for the run's minutes
    site_kw = 2 * 150 + 2 * 11.52 + 350
    assert float(summary.group(2)) <= site_kw * run_s / 3600, out
    database = tmp_path / "var" / "demo.db"
    with sqlite3.connect(database) as db:
        faults = db.execute("SELECT kind, explanation FROM reliability_faults").fetchall()
        tickets = db.execute("SELECT kinds, title FROM reliability_tickets").fetchall()
        energy = db.execute(
            "SELECT station_id, energy_wh, started_at, stopped_at FROM transactions"
        ).fetchall()
    assert faults == [], faults
    assert tickets == [], tickets
    assert energy, "the fleet charged nothing"
    for station_id, energy_wh, _, _ in energy:
        assert energy_wh <= 350_000 * run_s / 3600, (station_id, energy_wh)


def test_ctrl_c_ends_the_running_sessions_before_stopping(tmp_path: Path) -> None:
    """A stopped demo leaves no session active behind (the next run would find it stale)."""
    process, banner, key = _start_demo(tmp_path, "--stations", "2")
    try:
        base = re.search(r"REST API:\s+(http://\S+)/docs", banner)
        assert base is not None, banner
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            page = httpx.get(
                f"{base.group(1)}/api/transactions", params={"state": "active"},
                headers={"Authorization": f"Bearer {key}"}, timeout=10,
            ).json()  # fmt: skip
            if page["items"]:
                break
            time.sleep(1)
        else:
            pytest.fail("no session started")
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, out
    assert "ending the running sessions first" in out
    assert re.search(r"fleet stopped: [1-9]\d* sessions", out), out
    with sqlite3.connect(tmp_path / "var" / "demo.db") as db:
        states = db.execute("SELECT state, stop_reason FROM transactions").fetchall()
    assert states
    assert all(state == ("ended", "local") for state in states), states
