"""Where smart charging's services are found (``services.feature(SMART_CHARGING)``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forecourt.ports.keys import Key

if TYPE_CHECKING:
    from forecourt.smart_charging.services.load_manager import LoadManager

SMART_CHARGING: Key[LoadManager] = Key("smart_charging")
