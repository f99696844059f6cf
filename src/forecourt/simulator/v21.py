"""OCPP 2.1 dialect: the 2.0.1 dialect, plus a card terminal at the dispenser (C18, C21).

With ``card_terminal`` the terminal pre-authorises the driver's card at the PSP and the
station presents the PSP reference as a ``DirectPayment`` id token; a declined card
(``card_decline_rate``) never reaches the CSMS. When the CSMS answers the Ended event with
the session's ``totalCost``, the terminal settles that amount and the station reports it
with ``NotifySettlement``. Tariffs the CSMS gives it (I07-I10) are held (``tariffs``) and the
running cost of each session is shown from them; a web payment the CSMS says started (C25
``NotifyWebPaymentStarted``) is shown too.
"""

from __future__ import annotations

import random
import uuid
import zlib

from forecourt.simulator.dialect import require
from forecourt.simulator.rpc import Answer, Payload
from forecourt.simulator.session import ChargingSession, ocpp_timestamp, utc_now
from forecourt.simulator.tariffs import HeldTariffs
from forecourt.simulator.uplink import OutboxItem
from forecourt.simulator.v201 import V201Dialect

DIRECT_PAYMENT = "DirectPayment"


class V21Dialect(V201Dialect):
    def __init__(self, station: object) -> None:
        super().__init__(station)  # type: ignore[arg-type]  # a StationHost
        seed = zlib.crc32(self.station.config.station_id.encode())
        self._terminal_rng = random.Random(seed)
        self.tariffs = HeldTariffs(self.station)
        self._calls.device.formats += ("QRCODE",)  # a 2.1 screen shows QR codes (C25)

    async def handle(self, action: str, payload: Payload) -> Answer:
        tariff_call = self.tariffs.handlers.get(action)
        if tariff_call is not None:
            return await tariff_call(payload)
        if action == "NotifyWebPaymentStarted":  # C25: a driver opened the QR code's page
            evse_id = require(payload, "evseId", int)
            timeout = require(payload, "timeout", int)
            self.station.emit(f"EVSE {evse_id}: web payment started (for {timeout} s)")
            return Answer({})
        return await super().handle(action, payload)

    async def authorize(self, session: ChargingSession) -> bool:
        config = self.station.config
        if config.card_terminal and not session.remote:
            if self._terminal_rng.random() < config.card_decline_rate:
                self.station.emit(f"EVSE {session.evse_id}: card declined at the terminal")
                return False  # the PSP said no: the CSMS never hears of it
            session.id_token = f"PSP-{uuid.uuid4().hex[:20].upper()}"
            session.id_token_type = DIRECT_PAYMENT
        return await super().authorize(session)

    def transaction_closed(self, session: ChargingSession, result: Payload) -> None:
        shown = self.tariffs.running_cost(session)
        if shown is not None:
            self.station.emit(f"EVSE {session.evse_id}: the display shows a cost of {shown:.2f}")
        if session.id_token_type != DIRECT_PAYMENT:
            return
        total = result.get("totalCost")
        payload: Payload = {
            "pspRef": session.id_token,
            "status": "Settled",
            "settlementAmount": total if isinstance(total, int | float) else 0,
            "settlementTime": ocpp_timestamp(utc_now()),
            "transactionId": str(session.transaction_id),
        }
        self.station.emit(f"EVSE {session.evse_id}: terminal settled {payload['settlementAmount']}")
        self.uplink.enqueue(OutboxItem("NotifySettlement", payload))
