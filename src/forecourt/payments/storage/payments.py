"""Payments: the durable state machine's rows, and the provider events already handled."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, select, update

from forecourt.domain.errors import NotFound
from forecourt.payments.domain.payments import CardInfo, Payment
from forecourt.payments.ports import PaymentFilter
from forecourt.payments.storage.tables import payment_events, payments
from forecourt.storage.context import DbContext

_PLAIN_FIELDS = (
    "public_id",
    "flow",
    "provider",
    "provider_ref",
    "state",
    "currency",
    "hold_minor",
    "authorized_minor",
    "final_minor",
    "captured_minor",
    "id_token",
    "station_id",
    "evse_id",
    "transaction_id",
    "email",
    "tariff",
    "breakdown",
    "message",
    "redirect_url",
    "attempts",
    "last_error",
    "receipt_code",
    "created_at",
    "updated_at",
    "authorized_at",
    "completed_at",
    "next_attempt_at",
    "taken_by",
)
_NEWEST_FIRST = (payments.c.created_at.desc(), payments.c.id.desc())


class SqlPaymentRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add(self, payment: Payment) -> Payment:
        subject = f"payment {payment.provider}:{payment.provider_ref or payment.public_id}"
        async with self._db.guarded(subject):
            insert = payments.insert().values(_values(payment)).returning(payments.c.id)
            payment.id = int((await self._db.execute(insert)).scalar_one())
        return payment

    async def save(self, payment: Payment) -> None:
        statement = update(payments).where(payments.c.id == payment.id).values(_values(payment))
        async with self._db.guarded(f"payment {payment.public_id}"):
            if (await self._db.execute(statement)).rowcount == 0:
                raise NotFound("payment", payment.id)

    async def get(self, payment_id: int) -> Payment | None:
        return await self._one(payments.c.id == payment_id)

    async def get_for_update(self, payment_id: int) -> Payment | None:
        query = select(payments).where(payments.c.id == payment_id).with_for_update()
        row = (await self._db.execute(query)).first()
        return None if row is None else _from_row(row)

    async def by_public_id(self, public_id: str) -> Payment | None:
        return await self._one(payments.c.public_id == public_id)

    async def by_provider_ref(self, provider: str, provider_ref: str) -> Payment | None:
        if not provider_ref:
            return None
        return await self._one(
            and_(payments.c.provider == provider, payments.c.provider_ref == provider_ref)
        )

    async def by_token(self, id_token: str) -> builtins.list[Payment]:
        if not id_token:
            return []
        query = select(payments).where(payments.c.id_token == id_token).order_by(*_NEWEST_FIRST)
        return [_from_row(row) for row in await self._db.execute(query)]

    async def by_transaction(self, transaction_id: int) -> Payment | None:
        return await self._one(payments.c.transaction_id == transaction_id)

    async def by_receipt_code(self, code: str) -> Payment | None:
        if not code:
            return None
        return await self._one(payments.c.receipt_code == code)

    async def list(self, flt: PaymentFilter) -> builtins.list[Payment]:
        query = select(payments)
        if flt.states:
            query = query.where(payments.c.state.in_(list(flt.states)))
        if flt.station_id is not None:
            query = query.where(payments.c.station_id == flt.station_id)
        if flt.station_ids is not None:
            query = query.where(payments.c.station_id.in_(sorted(flt.station_ids)))
        if flt.card_last4 is not None:
            query = query.where(payments.c.card_last4 == flt.card_last4)
        if flt.since is not None:
            query = query.where(payments.c.created_at >= flt.since)
        if flt.until is not None:
            query = query.where(payments.c.created_at < flt.until)
        query = query.order_by(*_NEWEST_FIRST).limit(flt.limit)
        return [_from_row(row) for row in await self._db.execute(query)]

    async def record_event(self, provider: str, event_id: str, at: datetime) -> bool:
        statement = (
            self._db.insert(payment_events)
            .values(provider=provider, event_id=event_id, received_at=at)
            .on_conflict_do_nothing()
        )
        return bool((await self._db.execute(statement)).rowcount)

    async def _one(self, condition: ColumnElement[bool]) -> Payment | None:
        row = (await self._db.execute(select(payments).where(condition))).first()
        return None if row is None else _from_row(row)


def _values(payment: Payment) -> dict[str, Any]:
    values = {name: getattr(payment, name) for name in _PLAIN_FIELDS}
    values["tariff"] = dict(payment.tariff)
    values["breakdown"] = dict(payment.breakdown)
    values["card_brand"] = payment.card.brand
    values["card_last4"] = payment.card.last4
    return values


def _from_row(row: Row[Any]) -> Payment:
    values = {name: getattr(row, name) for name in _PLAIN_FIELDS}
    return Payment(id=row.id, card=CardInfo(row.card_brand, row.card_last4), **values)
