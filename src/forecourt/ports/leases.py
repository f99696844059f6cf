"""Singletons: work that must run on exactly one node at a time holds a lease (ADR 0012).

A periodic job asks ``await ctx.leases("payments.sweeps").held()`` before each pass and skips
the pass when another node holds it. One node (the default) always holds every lease; cluster
mode hands out PostgreSQL advisory locks (``forecourt.cluster.leases``), which a node that dies
loses with its database session, so another node's next pass takes over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Lease(Protocol):
    async def held(self) -> bool:
        """True when this node may run the work now (acquires the lease when it is free)."""
        ...

    async def release(self) -> None: ...


Leases = Callable[[str], Lease]


class AlwaysHeld:
    """One node: it runs every singleton (no I/O, no overhead)."""

    async def held(self) -> bool:
        return True

    async def release(self) -> None:
        return None


_ALWAYS_HELD = AlwaysHeld()


def single_node(_name: str) -> Lease:
    return _ALWAYS_HELD
