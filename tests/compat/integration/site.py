"""A small real site on real SQLite: the network a driver meets, built through the services."""

from __future__ import annotations

from datetime import datetime, timedelta

from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType
from forecourt.domain.metering import Measurand, MeterSample, ReadingContext
from forecourt.domain.stations import ConnectorStatus, ProtocolVersion, Site, StatusReport
from forecourt.domain.tokens import IdToken
from forecourt.services.core import Services
from forecourt.services.network import ConnectorSpec
from forecourt.services.transactions import TransactionStart

SITE = "AUS-1"
IONIQ_2025 = "hyundai-ioniq-5-lr-2025"
CCS1_350 = ConnectorRating.from_limits(PowerType.DC, 1000, 500, 350_000)
NACS_250 = ConnectorRating.from_limits(PowerType.DC, 1000, 615, 250_000)


async def build_site(services: Services, at: datetime) -> None:
    """CS-1: CCS1 + NACS cables on one EVSE; CS-2: CCS1, faulted; CS-3: NACS, offline.

    CS-1 and CS-2 are connected; every connector has reported a status.
    """
    network = services.network
    await network.add_site(Site(SITE, "Austin Forecourt", timezone="America/Chicago"))
    for station_id in ("CS-1", "CS-2", "CS-3"):
        await network.add_station(station_id, site_id=SITE)
    specs = {
        "CS-1": [ConnectorSpec(1, 1, ConnectorType.CCS1, CCS1_350)],
        "CS-2": [ConnectorSpec(1, 1, ConnectorType.CCS1, CCS1_350)],
        "CS-3": [ConnectorSpec(1, 1, ConnectorType.NACS, NACS_250)],
    }
    for station_id, connectors in specs.items():
        for spec in connectors:
            await network.set_connector(station_id, spec)
    await report(services, "CS-1", 1, 1, ConnectorStatus.AVAILABLE, at)
    await report(services, "CS-2", 1, 1, ConnectorStatus.FAULTED, at, "ConnectorLockFailure")
    await report(services, "CS-3", 1, 1, ConnectorStatus.AVAILABLE, at)
    for station_id in ("CS-1", "CS-2"):
        await services.core.provisioning.connected(station_id, ProtocolVersion.V201)


async def report(
    services: Services,
    station_id: str,
    evse_id: int,
    connector_id: int,
    status: ConnectorStatus,
    at: datetime,
    error_code: str = "",
) -> None:
    report = StatusReport(evse_id, connector_id, status, at, error_code=error_code)
    await services.core.availability.report(station_id, report)


async def start_session(
    services: Services,
    station_id: str,
    evse_id: int,
    connector_id: int,
    at: datetime,
    power_w: float | None = None,
) -> int:
    """A session as a station starts one; ``power_w`` is its first power reading."""
    samples = [
        MeterSample(
            at, Measurand.ENERGY_IMPORT_REGISTER, 1000.0, "Wh", ReadingContext.TRANSACTION_BEGIN
        )
    ]
    if power_w is not None:
        later = at + timedelta(seconds=30)
        samples.append(MeterSample(later, Measurand.POWER_IMPORT, power_w, "W"))
    start = TransactionStart(
        evse_id, connector_id, at, IdToken("DRIVER-1"), 1000.0, samples=samples
    )
    outcome = await services.core.transactions.start(station_id, start)
    assert outcome.transaction is not None
    return outcome.transaction.id
