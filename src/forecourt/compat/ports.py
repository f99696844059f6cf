"""Ports of the compat slice: its repositories (``uow.repository(COMPAT_STALLS)``, stalls;
``uow.repository(COMPAT_DRIVER_CARS)``, each token's "my car")."""

from __future__ import annotations

import builtins
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from forecourt.compat.domain.stalls import Stall
from forecourt.ports.keys import Key


class StallRepository(Protocol):
    async def put(self, stall: Stall) -> bool: ...  # True when it was new
    async def get(self, site_id: str, stall_id: str) -> Stall | None: ...
    async def delete(self, site_id: str, stall_id: str) -> bool: ...
    async def of_site(self, site_id: str) -> builtins.list[Stall]: ...


COMPAT_STALLS: Key[StallRepository] = Key("compat-stalls")


@dataclass(frozen=True, slots=True)
class ChosenCar:
    """The car a driver chose for their token: a catalogue id, when and by whom."""

    token: str
    vehicle_id: str
    set_at: datetime
    set_by: str = ""


class DriverCarRepository(Protocol):
    async def put(self, car: ChosenCar) -> None: ...  # replaces the token's earlier choice
    async def get(self, token: str) -> ChosenCar | None: ...
    async def of_tokens(self, tokens: Collection[str]) -> builtins.list[ChosenCar]: ...
    async def delete(self, token: str) -> bool: ...


COMPAT_DRIVER_CARS: Key[DriverCarRepository] = Key("compat-driver-cars")
