"""Where the accounts services are found (``services.feature(ACCOUNTS)``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forecourt.ports.keys import Key

if TYPE_CHECKING:
    from forecourt.accounts.services.accounts import Accounts

ACCOUNTS: Key[Accounts] = Key("accounts")
