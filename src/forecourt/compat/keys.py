"""Where the compatibility services are found (``services.feature(COMPAT)``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forecourt.ports.keys import Key

if TYPE_CHECKING:
    from forecourt.compat.services.compatibility import Compatibility

COMPAT: Key[Compatibility] = Key("compat")
