"""The station PKI as a feature slice (ADR 0014): CA, station certificates, security profiles.

It offers the core :data:`~forecourt.ports.station_certificates.STATION_CERTIFICATES`: the
gateway asks it about client certificates (profile 3), the OCPP adapters hand it CSRs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecourt.extension import CliCommand, Feature, Host, RepositoryFactory
from forecourt.pki.keys import PKI
from forecourt.ports.keys import Key
from forecourt.ports.station_certificates import STATION_CERTIFICATES

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI

    from forecourt.pki.services import Pki
    from forecourt.pki.services.config import PkiConfig
    from forecourt.services.core import Services
    from forecourt.settings import Settings
    from forecourt.storage.context import DbContext
    from forecourt.web.scope import Reach


class PkiFeature(Feature["Pki"]):
    def repositories(self) -> Mapping[Key[Any], RepositoryFactory]:
        from forecourt.pki.ports import PKI_STORE

        return {PKI_STORE: _store}

    def load_tables(self) -> None:
        import forecourt.pki.storage.tables  # noqa: F401

    def build(self, host: Host) -> Pki:
        from forecourt.pki.services import Pki

        core = host.services.core
        return Pki(host.ctx, host.remote, core.records, pki_config(host.settings))

    def ports(self, built: Pki) -> Mapping[Key[Any], object]:
        return {STATION_CERTIFICATES: built.stations}

    async def start(self, built: Pki) -> None:
        await built.start()

    async def stop(self, built: Pki) -> None:
        await built.stop()

    def install_api(self, router: APIRouter, _services: Services) -> None:
        from forecourt.pki.api import routes

        router.include_router(routes.router)

    def page_reach(self) -> Mapping[str, Reach]:
        from forecourt.web.scope import Reach

        return {
            "GET /dashboard/pki": Reach.NETWORK,
            "GET /dashboard/pki/stations/{station_id}/panel": Reach.SITES,
            "POST /dashboard/pki/stations/{station_id}/trust-store": Reach.SITES,
            "POST /dashboard/pki/stations/{station_id}/trust-store/deletion": Reach.SITES,
            "POST /dashboard/pki/stations/{station_id}/certificates/{serial}/revocation": (
                Reach.SITES
            ),
            "POST /dashboard/pki/stations/{station_id}/profile": Reach.SITES,
        }

    def install_web(self, app: FastAPI, _services: Services, _settings: Settings) -> None:
        from forecourt.pki.web import install_pki_pages

        install_pki_pages(app)


def pki_config(settings: Settings | None) -> PkiConfig:
    """From the settings; without them (a test building services), a per-process secret."""
    import secrets

    from forecourt.pki.services.config import PkiConfig

    if settings is None:
        return PkiConfig(passphrase=secrets.token_bytes(32))
    return PkiConfig(
        passphrase=settings.secret_key.encode(),
        organization=settings.pki_organization,
        certificate_days=settings.pki_certificate_days,
        renew_before_days=settings.pki_renew_before_days,
        renewal_interval_s=settings.pki_renewal_interval,
    )


FEATURE = PkiFeature(
    name="pki",
    key=PKI,
    commands={
        "pki": CliCommand(
            "forecourt.pki.cli.commands",
            "Station PKI: CA, station certificates, security profiles, trust stores.",
        ),
    },
    migrations=Path(__file__).parent / "storage" / "migrations",
    offers=(STATION_CERTIFICATES,),
)


def _store(db: DbContext) -> object:
    from forecourt.pki.storage.store import SqlPkiRepository

    return SqlPkiRepository(db)
