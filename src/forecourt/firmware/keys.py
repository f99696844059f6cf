"""Where the firmware slice's services are found (``services.feature(FIRMWARE)``); its
repository key is in ``firmware.ports``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forecourt.ports.keys import Key

if TYPE_CHECKING:
    from forecourt.firmware.services import Firmware

FIRMWARE: Key[Firmware] = Key("firmware")
