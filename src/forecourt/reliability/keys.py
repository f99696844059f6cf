"""Where reliability's services and repository are found (``services.feature(RELIABILITY)``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forecourt.ports.keys import Key

if TYPE_CHECKING:
    from forecourt.ports.reliability import ReliabilityRepository
    from forecourt.services.reliability import Reliability

RELIABILITY: Key[Reliability] = Key("reliability")
RELIABILITY_STORE: Key[ReliabilityRepository] = Key("reliability.store")
