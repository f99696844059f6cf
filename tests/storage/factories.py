"""Domain objects and moments for the storage tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType
from forecourt.domain.stations import Connector, Evse, ProtocolVersion, Station
from forecourt.domain.transactions import Transaction

T0 = datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def at(seconds: float) -> datetime:
    """A moment ``seconds`` after T0."""
    return T0 + timedelta(seconds=seconds)


def dc_rating(power_w: float = 350_000) -> ConnectorRating:
    return ConnectorRating(PowerType.DC, 1000.0, 500.0, power_w, True, 2.5)


def make_station(station_id: str = "CP-1", site_id: str | None = None) -> Station:
    """A dispenser with two EVSEs: CCS1 + NACS on EVSE 1, CHAdeMO on EVSE 2."""
    evse1 = Evse(
        station_id,
        1,
        [
            Connector(station_id, 1, 1, ConnectorType.CCS1, dc_rating()),
            Connector(station_id, 1, 2, ConnectorType.NACS, dc_rating(250_000)),
        ],
        max_power_w=300_000,
    )
    evse2 = Evse(station_id, 2, [Connector(station_id, 2, 1, ConnectorType.CHADEMO)])
    return Station(
        id=station_id,
        site_id=site_id,
        vendor="Acme",
        model="DC-350",
        serial_number="SN-1",
        firmware_version="1.2.3",
        protocol=ProtocolVersion.V201,
        password_hash="argon2$hash",
        evses=[evse1, evse2],
    )


def make_tx(
    station_id: str = "CP-1",
    evse_id: int = 1,
    *,
    token: str | None = "TOKEN-1",
    started_at: datetime = T0,
    **fields: Any,
) -> Transaction:
    return Transaction(station_id, evse_id, 1, started_at, id_token=token, **fields)
