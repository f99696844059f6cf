"""Ports of the compat slice: its stall repository (``uow.repository(COMPAT_STALLS)``)."""

from __future__ import annotations

import builtins
from typing import Protocol

from forecourt.compat.domain.stalls import Stall
from forecourt.ports.keys import Key


class StallRepository(Protocol):
    async def put(self, stall: Stall) -> bool: ...  # True when it was new
    async def get(self, site_id: str, stall_id: str) -> Stall | None: ...
    async def delete(self, site_id: str, stall_id: str) -> bool: ...
    async def of_site(self, site_id: str) -> builtins.list[Stall]: ...


COMPAT_STALLS: Key[StallRepository] = Key("compat-stalls")
