"""What the compatibility rules answer: ways to charge a vehicle at one connector."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from forecourt.compat.domain.model import Adapter


class ChargePath(StrEnum):
    AC = "ac"
    DC = "dc"


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning or a reason, with a stable code for clients and a sentence for people."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Option:
    """One way to charge: a path, at most one adapter, and why it works or does not.

    ``reason`` is ``None`` when the option works; otherwise it says why it cannot.
    """

    path: ChargePath | None
    adapters: tuple[Adapter, ...] = ()
    peak_power_w: float = 0.0
    warnings: tuple[Notice, ...] = ()
    reason: Notice | None = None

    @property
    def works(self) -> bool:
        return self.reason is None

    @property
    def adapter(self) -> Adapter | None:
        return self.adapters[0] if self.adapters else None

    @property
    def adapter_ids(self) -> tuple[str, ...]:
        return tuple(adapter.id for adapter in self.adapters)
