"""``forecourt serve`` in its own process, its log (stderr) captured to a file.

For what only the real entry point shows: the log setup of ``serve`` (level, format,
library loggers), exactly as an operator would read it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import forecourt
from tests.support.server import free_port

STARTUP_TIMEOUT_S = 60.0


@dataclass
class ServedProcess:
    port: int
    log_path: Path

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ocpp"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextmanager
def served(tmp_path: Path, **settings: str) -> Iterator[ServedProcess]:
    """Run the server with ``FORECOURT_<NAME>`` settings; the log is complete after exit."""
    port = free_port()
    source = str(Path(forecourt.__file__).parents[1])
    env = {**os.environ, **{f"FORECOURT_{k.upper()}": v for k, v in settings.items()}}
    env.setdefault("FORECOURT_SECRET_KEY", "test-secret-key-for-a-served-process")
    env["FORECOURT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'served.db'}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-u", "-m", "forecourt.cli.main", "serve", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
        )  # fmt: skip
    try:
        _wait_until_listening(process, port, log_path)
        yield ServedProcess(port, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_listening(process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server not listening after {STARTUP_TIMEOUT_S}s:\n{log_path.read_text()}")
