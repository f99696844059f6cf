"""Tariffs (sender, mod_tariffs): our published prices, pulled or pushed on change.

Prices come from the core's TARIFF_CATALOGUE port (the payments slice); without it there are
no tariffs. A ``tariff.published`` event queues a PUT of each tariff to every partner with a
tariffs receiver, sent (and retried) by the push worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from forecourt.domain.events import DomainEvent
from forecourt.ocpi.domain.parties import PartyState, Us
from forecourt.ocpi.domain.versions import Version
from forecourt.ocpi.ports import OCPI_STORE, PushJob
from forecourt.ports.tariff_catalogue import PublishedTariff, TariffCatalogue
from forecourt.services.context import ServiceContext

#: Renders one tariff for one version (``schemas.tariffs``).
TariffRenderer = Callable[[Version, PublishedTariff], dict[str, Any]]


class Tariffs:
    def __init__(
        self,
        ctx: ServiceContext,
        us: Us,
        catalogue: TariffCatalogue | None,
        render: TariffRenderer,
        wake: Callable[[], None],
    ) -> None:
        self._ctx = ctx
        self.us = us
        self._catalogue = catalogue
        self._render = render
        self._wake = wake
        self._unsubscribe: Callable[[], None] | None = None

    async def all(self) -> list[PublishedTariff]:
        if self._catalogue is None:
            return []
        return sorted(await self._catalogue.published(), key=lambda t: t.code)

    async def start(self) -> None:
        self._unsubscribe = self._ctx.bus.subscribe("tariff.published", self.on_published)

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    async def on_published(self, event: DomainEvent) -> None:
        code = event.data.get("code")
        changed = [t for t in await self.all() if t.code == code]
        async with self._ctx.uow() as uow:
            store = uow.repository(OCPI_STORE)
            parties = [
                p
                for p in await store.parties()
                if p.state is PartyState.REGISTERED and "tariffs" in p.endpoints
            ]
            now = self._ctx.clock.now()
            for published in changed:
                path = f"/{self.us.ref.country_code}/{self.us.ref.party_id}/{published.code}"
                for party in parties:
                    assert party.version is not None  # registered parties have one
                    body = self._render(party.version, published)
                    await store.enqueue(PushJob(party.id, "PUT", "tariffs", path, body, now))
            await uow.commit()
        self._wake()
