"""Where OCPI's services are found (``services.feature(OCPI)``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forecourt.ports.keys import Key

if TYPE_CHECKING:
    from forecourt.ocpi.services.roaming import Roaming

OCPI: Key[Roaming] = Key("ocpi")
