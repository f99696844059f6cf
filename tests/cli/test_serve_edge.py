"""`forecourt serve` through its real entry point installs the edge's limits and freezes what
start-up built (gc.freeze), both visible from outside."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.server import free_port


def wait_for_health(port: int, process: subprocess.Popen[str]) -> None:
    for _ in range(300):
        assert process.poll() is None, process.communicate()[0]
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("forecourt serve did not start")


def frozen_objects(metrics: str) -> float:
    line = next(x for x in metrics.splitlines() if x.startswith("forecourt_gc_frozen_objects "))
    return float(line.split()[-1])


def test_serve_closes_half_sent_requests_and_freezes_startup_objects(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ, FORECOURT_LOG_LEVEL="WARNING", FORECOURT_HANDSHAKE_TIMEOUT="0.5")
    env.setdefault("FORECOURT_SECRET_KEY", "test-secret-key-for-a-served-process")
    process = subprocess.Popen(
        [sys.executable, "-m", "forecourt.cli.main", "serve", "--port", str(port),
         "--database-url", f"sqlite:///{tmp_path / 'serve.db'}"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        wait_for_health(port, process)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
            slow.sendall(b"GET /ocpp/CS-1 HTTP/1.1\r\n")  # and never the rest
            assert slow.recv(1024) == b""  # closed by the server (recv waits at most 10 s)
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        assert 'forecourt_gateway_timeouts_total{stage="request_head"} 1.0' in metrics
        assert frozen_objects(metrics) > 10_000
    finally:
        process.terminate()
        process.communicate(timeout=30)
