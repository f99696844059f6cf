"""The core's door to station-taken payments (OCPP 2.1 C18-C22), whoever implements them.

The protocol edge calls this service; it forwards to the :data:`STATION_PAYMENTS` port when a
feature offers one (bound once the feature bundle exists), and otherwise refuses direct
payments rather than accepting money nobody records.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

from forecourt.domain.station_tariffs import StationTariff
from forecourt.ports.station_payments import (
    DirectHold,
    PrepaidLimit,
    StationPaymentPort,
    StationSettlement,
)

log = logging.getLogger("forecourt.payments")

PortLookup = Callable[[], StationPaymentPort | None]
NOT_INSTALLED = "no payments feature is installed to hold direct payments"


def _no_port() -> StationPaymentPort | None:
    return None


class StationPayments:
    def __init__(self, port: PortLookup = _no_port) -> None:
        self._port = port

    def bind(self, port: PortLookup) -> None:
        """Where the port comes from (the composition root, once features are known)."""
        self._port = port

    async def authorize_direct(
        self, station_id: str, psp_ref: str, evse_id: int | None
    ) -> DirectHold:
        port = self._port()
        if port is None:
            return DirectHold(accepted=False, reason=NOT_INSTALLED)
        return await port.authorize_direct(station_id, psp_ref, evse_id)

    async def record_settlement(self, settlement: StationSettlement) -> str:
        port = self._port()
        if port is None:
            log.warning(
                "settlement %s from %s not recorded: %s",
                settlement.psp_ref,
                settlement.station_id,
                NOT_INSTALLED,
            )
            return ""
        return await port.record_settlement(settlement)

    async def limit_for(self, station_id: str, id_token: str) -> PrepaidLimit | None:
        port = self._port()
        return None if port is None else await port.limit_for(station_id, id_token)

    async def driver_tariff(self, station_id: str, id_token: str) -> StationTariff | None:
        """A driver's own tariff (2.1); none without a payments feature."""
        port = self._port()
        return None if port is None else await port.driver_tariff(station_id, id_token)

    async def limit_raised(self, station_id: str, station_tx_id: str, max_cost: Decimal) -> bool:
        """C23 at a 2.1 station's terminal; without a payments feature there is no hold."""
        port = self._port()
        return port is not None and await port.limit_raised(station_id, station_tx_id, max_cost)

    async def authorize_prepaid(
        self, station_id: str, id_token: str, evse_id: int | None
    ) -> DirectHold:
        """C17; without a payments feature there are no prepaid cards: accepted as any token."""
        port = self._port()
        if port is None:
            return DirectHold(accepted=True)
        return await port.authorize_prepaid(station_id, id_token, evse_id)
