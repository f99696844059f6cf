"""QR codes that start a payment (OCPP 2.1 C25).

A **static** code is printed on the dispenser and leads to its scan-to-pay page
(``/pay/{station}/{evse}``, ``web/qr.py``). A **dynamic** code is made for one use, for a
short time (a station's screen shows a fresh one): ``/pay/{station}/{evse}?code=...``, signed
for that EVSE with the server's secret. Redeeming it checks the signature (else invalid), the
time (else expired) and that it was never redeemed before (else used): the one-use record is
the same table that makes provider webhooks count once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from forecourt.payments.domain.payments import PaymentError
from forecourt.payments.ports import PAYMENT_STORE
from forecourt.payments.services.policy import PaymentPolicy
from forecourt.services.context import ServiceContext

#: The one-use record's namespace (``payment_events.provider``).
REDEEMED = "dynamic-qr"
#: The display message id of an EVSE's dynamic code on the station's screen (+ EVSE id; the
#: price messages use 7100 + EVSE, ``ocpp.v201.outbound.PRICE_MESSAGE_BASE``).
DYNAMIC_QR_MESSAGE_ID = 7200
#: The HTTP status a refused code is answered with (API and driver page alike).
CODE_STATUS = {"invalid": 400, "expired": 410, "used": 409}


class CodeRefused(PaymentError):
    """A dynamic code that cannot start a payment; ``reason`` says which rule refused it."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # invalid | expired | used


@dataclass(frozen=True, slots=True)
class DynamicCode:
    code: str
    url: str
    expires_at: datetime


class DynamicCodes:
    def __init__(self, ctx: ServiceContext, policy: PaymentPolicy) -> None:
        self._ctx = ctx
        self._policy = policy

    def issue(self, station_id: str, evse_id: int) -> DynamicCode:
        expires = self._ctx.clock.now() + timedelta(seconds=self._policy.dynamic_qr_ttl_s)
        nonce = secrets.token_urlsafe(9)
        stamp = str(int(expires.timestamp()))
        code = f"{nonce}.{stamp}.{self._mac(station_id, evse_id, nonce, stamp)}"
        path = f"/pay/{quote(station_id, safe='')}/{evse_id}?code={code}"
        return DynamicCode(code, self._policy.url(path), datetime.fromtimestamp(int(stamp), UTC))

    async def redeem(self, code: str, station_id: str, evse_id: int) -> None:
        """Use the code once for this EVSE, or raise ``CodeRefused``."""
        nonce, stamp = self._verified(code, station_id, evse_id)
        now = self._ctx.clock.now()
        if now.timestamp() > int(stamp):
            raise CodeRefused("expired", "This code has expired. Scan the charger's new code.")
        async with self._ctx.uow() as uow:
            first = await uow.repository(PAYMENT_STORE).record_event(REDEEMED, nonce, now)
            await uow.commit()
        if not first:
            raise CodeRefused("used", "This code was used already. Scan the charger's new code.")

    def _verified(self, code: str, station_id: str, evse_id: int) -> tuple[str, str]:
        nonce, _, rest = code.partition(".")
        stamp, _, mac = rest.partition(".")
        expected = self._mac(station_id, evse_id, nonce, stamp)
        if not (nonce and stamp.isdigit() and hmac.compare_digest(mac, expected)):
            raise CodeRefused("invalid", "This is not a valid code for this charger.")
        return nonce, stamp

    def _mac(self, station_id: str, evse_id: int, nonce: str, stamp: str) -> str:
        message = f"{station_id}|{evse_id}|{nonce}|{stamp}".encode()
        return hmac.new(self._policy.qr_secret.encode(), message, hashlib.sha256).hexdigest()[:32]
