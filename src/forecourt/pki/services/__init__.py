"""The PKI slice's services, one bundle (``services.feature(PKI)``)."""

from __future__ import annotations

from forecourt.domain.certificates import (
    CertificateHash,
    DeleteCertificate,
    GetInstalledCertificateIds,
    InstallCertificate,
    TrustAnchor,
)
from forecourt.domain.commands import CommandRecord
from forecourt.pki.services import crypto
from forecourt.pki.services.authority import CertificateAuthority
from forecourt.pki.services.config import PkiConfig
from forecourt.pki.services.renewal import RenewalWatch
from forecourt.pki.services.stations import StationCertificateService
from forecourt.services.context import ServiceContext
from forecourt.services.remote_control import RemoteControl
from forecourt.services.station_records import StationRecords


class TrustStores:
    """A station's trust store over the wire (1.6 security extension, 2.0.1 M03-M05)."""

    def __init__(self, remote: RemoteControl) -> None:
        self._remote = remote

    async def install(
        self, station_id: str, anchor: TrustAnchor, certificate_pem: str, requested_by: str = ""
    ) -> CommandRecord:
        crypto.load_certificate(certificate_pem)  # a clear 4xx before the station sees it
        command = InstallCertificate(anchor, certificate_pem)
        return await self._remote.send(station_id, command, requested_by=requested_by)

    async def delete(
        self, station_id: str, certificate: CertificateHash, requested_by: str = ""
    ) -> CommandRecord:
        command = DeleteCertificate(certificate)
        return await self._remote.send(station_id, command, requested_by=requested_by)

    async def installed(
        self, station_id: str, anchors: tuple[TrustAnchor, ...] = (), requested_by: str = ""
    ) -> CommandRecord:
        command = GetInstalledCertificateIds(anchors)
        return await self._remote.send(station_id, command, requested_by=requested_by)


class Pki:
    def __init__(
        self,
        ctx: ServiceContext,
        remote: RemoteControl,
        records: StationRecords,
        config: PkiConfig,
    ) -> None:
        self.config = config
        self.authority = CertificateAuthority(ctx, config)
        self.stations = StationCertificateService(ctx, config, self.authority, remote)
        self.renewal = RenewalWatch(ctx, config, remote, records)
        self.trust_stores = TrustStores(remote)

    async def start(self) -> None:
        await self.renewal.start()

    async def stop(self) -> None:
        await self.renewal.stop()
        await self.stations.stop()
