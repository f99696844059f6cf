"""Where the PKI slice's services are found (``services.feature(PKI)``); its repository key is
in ``pki.ports``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forecourt.ports.keys import Key

if TYPE_CHECKING:
    from forecourt.pki.services import Pki

PKI: Key[Pki] = Key("pki")
