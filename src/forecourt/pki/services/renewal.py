"""The expiry watch: ask stations for a new certificate ahead of expiry (A02: TriggerMessage
SignChargingStationCertificate; 1.6: ExtendedTriggerMessage SignChargePointCertificate) and
raise the alarm when that fails."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from forecourt.domain.certificates import CertificateUse
from forecourt.domain.commands import TriggerKind, TriggerMessage
from forecourt.domain.events import StationEventKind
from forecourt.pki.domain.certificates import IssuedCertificate
from forecourt.pki.ports import PKI_STORE
from forecourt.pki.services.config import PkiConfig
from forecourt.services.context import ServiceContext
from forecourt.services.remote_control import RemoteControl
from forecourt.services.station_records import StationRecords

log = logging.getLogger("forecourt.pki")


@dataclass(frozen=True, slots=True)
class RenewalPass:
    triggered: tuple[str, ...]  # station ids asked for a new certificate
    failed: tuple[str, ...]  # could not be asked (offline, refused): alerted


class RenewalWatch:
    def __init__(
        self, ctx: ServiceContext, config: PkiConfig, remote: RemoteControl, records: StationRecords
    ) -> None:
        self._ctx = ctx
        self._config = config
        self._remote = remote
        self._records = records
        self._task: asyncio.Task[None] | None = None

    async def due(self) -> list[IssuedCertificate]:
        """Each station's newest client certificate, when it expires within the window (an
        older one expiring is no reason to ask: the station already has its successor)."""
        now = self._ctx.clock.now()
        ahead = timedelta(days=self._config.renew_before_days)
        async with self._ctx.uow() as uow:
            store = uow.repository(PKI_STORE)
            expiring = await store.expiring(now + ahead)
            newest: dict[str, str] = {}
            for issued in await store.certificates():  # newest first
                if issued.use is CertificateUse.CHARGING_STATION:
                    newest.setdefault(issued.station_id, issued.serial)
        return [
            c
            for c in expiring
            if newest.get(c.station_id) == c.serial and c.due_for_renewal(now, ahead)
        ]

    async def run_once(self) -> RenewalPass:
        triggered: list[str] = []
        failed: list[str] = []
        for certificate in await self.due():
            station_id = certificate.station_id
            # a finding of this pass, nothing stored: a unit of work of its own (ADR 0012)
            await self._ctx.notify("pki.certificate_expiring", station_id, **_facts(certificate))
            record = await self._remote.send(
                station_id, TriggerMessage(TriggerKind.SIGN_CERTIFICATE), requested_by="pki"
            )
            if record.status.succeeded:
                triggered.append(station_id)
                continue
            failed.append(station_id)
            await self._alert(certificate, f"{record.status.value} {record.error}".strip())
        return RenewalPass(tuple(triggered), tuple(failed))

    async def _alert(self, certificate: IssuedCertificate, why: str) -> None:
        tech_info = (
            f"certificate {certificate.serial} expires {certificate.not_after.isoformat()};"
            f" renewal not triggered: {why}"
        )
        log.warning(
            "certificate renewal failed: %s",
            tech_info,
            extra={"station_id": certificate.station_id},
        )
        await self._records.record(
            certificate.station_id,
            StationEventKind.SECURITY,
            {"type": "CertificateRenewalFailed", "techInfo": tech_info},
        )
        await self._ctx.notify(  # the security record above is a record of its own
            "pki.renewal_failed", certificate.station_id, reason=why, **_facts(certificate)
        )

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="periodic:certificate-renewal")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._config.renewal_interval_s)
            try:
                if await self._ctx.leases("pki.renewal").held():  # one node renews
                    await self.run_once()
            except Exception:  # one failed pass must not end the watch
                log.exception("certificate renewal pass failed")


def _facts(certificate: IssuedCertificate) -> dict[str, str]:
    """What the operator's alert shows (reliability reads these, it imports nothing here)."""
    return {"serial": certificate.serial, "not_after": certificate.not_after.isoformat()}
