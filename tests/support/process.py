"""A real `forecourt serve` in its own process on 127.0.0.1, for crash drills (SIGKILL)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.server import LoopbackUrls, free_port

#: Generous: under coverage and parallel workers on 2 cores a cold start imports for a while;
#: this is a readiness wait, never a speed assertion.
START_TIMEOUT_S = 90.0


@dataclass
class ServerProcess(LoopbackUrls):
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def kill(self) -> None:
        """kill -9: no shutdown hook, no flush, no goodbye to the stations."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


async def start_server_process(tmp_path: Path, env: dict[str, str]) -> ServerProcess:
    """Start the server with ``env`` (FORECOURT_* settings) and wait until it answers."""
    port = free_port()
    log = tmp_path / f"server-{port}.log"
    full_env = {
        **os.environ,
        "FORECOURT_HOST": "127.0.0.1",
        "FORECOURT_PORT": str(port),
        "FORECOURT_LOG_LEVEL": "WARNING",
        "FORECOURT_SECRET_KEY": "test-secret-key-for-a-served-process",
        **env,
    }
    process = _spawn(full_env, log, tmp_path)
    server = ServerProcess(process, port, log)
    deadline = asyncio.get_running_loop().time() + START_TIMEOUT_S
    async with httpx.AsyncClient(base_url=server.http_url, timeout=60) as http:
        while True:
            if process.poll() is not None:
                raise AssertionError(f"server exited at start:\n{log.read_text()}")
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return server
            except httpx.TransportError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                server.kill()
                raise AssertionError(f"server did not start:\n{log.read_text()}")
            await asyncio.sleep(0.1)


def _spawn(env: dict[str, str], log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    """Start `forecourt serve` (Popen returns at once; the caller polls for readiness)."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "forecourt.cli.main", "serve"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
        )
