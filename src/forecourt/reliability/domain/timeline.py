"""A port's status timeline as a small state machine: a set of conditions that changes.

Each change closes the open interval and opens the next; the writer persists exactly that.
Changes never reach back before the open interval (history is append-only): a condition
recognised late (e.g. "every session for an hour has failed") starts at the latest of the
moment it really began and the start of the open interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from forecourt.reliability.domain.model import Condition, PortRef, PortState, state_of


@dataclass(frozen=True, slots=True)
class Transition:
    """From ``at`` on, ``port`` has ``conditions`` (empty: up)."""

    port: PortRef
    at: datetime
    conditions: frozenset[Condition]

    @property
    def state(self) -> PortState:
        return state_of(self.conditions)


class PortTimeline:
    __slots__ = ("conditions", "port", "since")

    def __init__(
        self,
        port: PortRef,
        since: datetime | None = None,
        conditions: frozenset[Condition] = frozenset(),
    ) -> None:
        self.port = port
        self.since = since  # start of the open interval; None until the port is first seen
        self.conditions = conditions

    @property
    def state(self) -> PortState:
        return state_of(self.conditions)

    @property
    def started(self) -> bool:
        return self.since is not None

    def begin(self, at: datetime) -> Transition | None:
        """The port is seen for the first time: its timeline starts here."""
        if self.since is not None:
            return None
        self.since = at
        return Transition(self.port, at, self.conditions)

    def set(self, condition: Condition, on: bool, at: datetime) -> Transition | None:
        """Turn one condition on or off; a Transition when the set of conditions changed."""
        wanted = self.conditions | {condition} if on else self.conditions - {condition}
        if wanted == self.conditions:
            return None
        moment = at if self.since is None or at > self.since else self.since
        self.conditions = frozenset(wanted)
        self.since = moment
        return Transition(self.port, moment, self.conditions)
