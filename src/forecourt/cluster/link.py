"""The node's NATS connection: connects, reconnects forever, names subjects and buckets."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext

log = logging.getLogger("forecourt.cluster")

DRAIN_S = 5.0  # at close, messages in flight get this long (NATS may be away)
_NOT_A_TOKEN = re.compile(r"[^A-Za-z0-9_-]")


def subject_token(name: str) -> str:
    """``name`` as one NATS subject token (host names carry dots, which split subjects)."""
    return _NOT_A_TOKEN.sub("_", name) or "_"


@dataclass(frozen=True, slots=True)
class LinkConfig:
    servers: tuple[str, ...]
    cluster_name: str
    node_id: str

    @classmethod
    def parse(cls, nats_url: str, cluster_name: str, node_id: str) -> LinkConfig:
        servers = tuple(url.strip() for url in nats_url.split(",") if url.strip())
        return cls(servers, cluster_name, node_id)

    def subject(self, *parts: str) -> str:
        return ".".join((self.cluster_name, *parts))

    def bucket(self, name: str) -> str:
        return f"{self.cluster_name}_{name}"


class NatsLink:
    """One client connection per node; nats-py reconnects by itself (and buffers meanwhile)."""

    def __init__(self, config: LinkConfig) -> None:
        self.config = config
        self._client: Client | None = None
        self._closing = False
        self.on_reconnected: Callable[[], None] | None = None

    @property
    def client(self) -> Client:
        if self._client is None:
            raise RuntimeError("the cluster link is not connected")
        return self._client

    @property
    def jetstream(self) -> JetStreamContext:
        return self.client.jetstream()

    @property
    def connected(self) -> bool:
        return self._client is not None and self._client.is_connected

    async def connect(self) -> None:
        self._client = await nats.connect(
            servers=list(self.config.servers),
            name=f"forecourt {self.config.node_id}",
            max_reconnect_attempts=-1,  # a NATS restart must not need an operator
            reconnect_time_wait=0.5,
            connect_timeout=5,
            disconnected_cb=self._disconnected,
            reconnected_cb=self._reconnected,
            error_cb=self._error,
        )

    async def close(self) -> None:
        """Drain (bounded); when NATS is away or slow, just close: shutdown never hangs."""
        self._closing = True
        client = self._client
        if client is None or client.is_closed:
            return
        try:
            await asyncio.wait_for(client.drain(), DRAIN_S)
        except Exception:  # reconnecting, or the drain timed out
            log.warning("cluster: NATS connection closed without draining", exc_info=True)
        if not client.is_closed:
            with contextlib.suppress(Exception):
                await client.close()

    async def _disconnected(self) -> None:
        if not self._closing:
            log.warning("cluster: NATS connection lost; reconnecting")

    async def _reconnected(self) -> None:
        log.warning("cluster: NATS connection back")
        if self.on_reconnected is not None:
            self.on_reconnected()

    async def _error(self, error: Exception) -> None:
        log.info("cluster: NATS: %s", error)
