"""OCPP 2.1 tariffs held by a simulated station (I07-I10): the station keeps what the CSMS
gives it and shows each session's running cost from it, as a 2.1 dispenser would.

The cost shown is the station's own figure (fixed fee + energy at the first energy price);
time-of-day bands and idle fees are not modelled, which is what a simple station does too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from forecourt.simulator.dialect import require
from forecourt.simulator.host import StationHost
from forecourt.simulator.rpc import Answer, Payload
from forecourt.simulator.session import ChargingSession


@dataclass
class HeldTariffs:
    station: StationHost
    default: dict[int, Payload] = field(default_factory=dict)  # evseId (0: station) -> tariff
    per_transaction: dict[str, Payload] = field(default_factory=dict)

    @property
    def handlers(self) -> dict[str, Callable[[Payload], Awaitable[Answer]]]:
        return {
            "SetDefaultTariff": self.set_default,
            "GetTariffs": self.get,
            "ClearTariffs": self.clear,
            "ChangeTransactionTariff": self.change_for_transaction,
        }

    async def set_default(self, payload: Payload) -> Answer:
        tariff = require(payload, "tariff", dict)
        self.default[require(payload, "evseId", int)] = tariff
        return Answer({"status": "Accepted"})

    async def get(self, _payload: Payload) -> Answer:
        assignments = [
            {"tariffId": t["tariffId"], "tariffKind": "DefaultTariff", "evseIds": [evse_id]}
            for evse_id, t in sorted(self.default.items())
        ]
        if not assignments:
            return Answer({"status": "NoTariff"})
        return Answer({"status": "Accepted", "tariffAssignments": assignments})

    async def clear(self, payload: Payload) -> Answer:
        wanted = payload.get("tariffIds") or [t["tariffId"] for t in self.default.values()]
        results = []
        for tariff_id in wanted:
            held = [e for e, t in self.default.items() if t["tariffId"] == tariff_id]
            for evse_id in held:
                del self.default[evse_id]
            results.append({"tariffId": tariff_id, "status": "Accepted" if held else "NoTariff"})
        return Answer({"clearTariffsResult": results})

    async def change_for_transaction(self, payload: Payload) -> Answer:
        transaction_id = require(payload, "transactionId", str)
        if self.station.find_session(transaction_id) is None:
            return Answer({"status": "TxNotFound"})
        self.per_transaction[transaction_id] = require(payload, "tariff", dict)
        return Answer({"status": "Accepted"})

    def tariff_of(self, session: ChargingSession) -> Payload | None:
        by_tx = self.per_transaction.get(str(session.transaction_id))
        return by_tx or self.default.get(session.evse_id) or self.default.get(0)

    def running_cost(self, session: ChargingSession) -> float | None:
        """What the station shows: None without a tariff."""
        tariff = self.tariff_of(session)
        if tariff is None:
            return None
        fee = _first_price(tariff, "fixedFee", "priceFixed")
        per_kwh = _first_price(tariff, "energy", "priceKwh")
        return round(fee + per_kwh * session.energy_wh / 1000, 2)


def _first_price(tariff: Payload, element: str, key: str) -> float:
    prices = (tariff.get(element) or {}).get("prices") or [{}]
    return float(prices[0].get(key, 0))
