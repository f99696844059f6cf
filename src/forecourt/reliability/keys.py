"""Where reliability's services are found (``services.feature(RELIABILITY)``); its
repository key is in ``reliability.ports``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forecourt.ports.keys import Key

if TYPE_CHECKING:
    from forecourt.reliability.services import Reliability

RELIABILITY: Key[Reliability] = Key("reliability")
