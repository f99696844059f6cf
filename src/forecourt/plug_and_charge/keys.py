"""Where the Plug & Charge services are found (``services.feature(PLUG_AND_CHARGE)``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forecourt.ports.keys import Key

if TYPE_CHECKING:
    from forecourt.plug_and_charge.services.contracts import ContractChecker

PLUG_AND_CHARGE: Key[ContractChecker] = Key("plug_and_charge")
