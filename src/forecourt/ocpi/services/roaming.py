"""The OCPI slice's services, as one bundle (``services.feature(OCPI)``)."""

from __future__ import annotations

from dataclasses import dataclass

from forecourt.ocpi.services.cdrs import RoamingCdrs
from forecourt.ocpi.services.commands import RoamingCommands
from forecourt.ocpi.services.credentials import Credentials
from forecourt.ocpi.services.locations import Locations
from forecourt.ocpi.services.payments import RoamingPayments
from forecourt.ocpi.services.sessions import RoamingSessions
from forecourt.ocpi.services.stats import OcpiStats
from forecourt.ocpi.services.status_push import StatusPush
from forecourt.ocpi.services.tariffs import Tariffs
from forecourt.ocpi.services.tokens import RoamingTokens


@dataclass(frozen=True, slots=True)
class Roaming:
    credentials: Credentials
    locations: Locations
    push: StatusPush
    tariffs: Tariffs
    tokens: RoamingTokens
    commands: RoamingCommands
    payments: RoamingPayments
    stats: OcpiStats
    sessions: RoamingSessions
    cdrs: RoamingCdrs

    async def start(self) -> None:
        await self.push.start()
        await self.tariffs.start()
        await self.sessions.start()

    async def stop(self) -> None:
        await self.sessions.stop()
        await self.commands.stop()
        await self.tariffs.stop()
        await self.push.stop()
