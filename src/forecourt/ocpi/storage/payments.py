"""Rows of the payments module and of per-station features (``storage.payment_tables``)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from forecourt.ocpi.domain.capabilities import StationFeatures
from forecourt.ocpi.domain.payments import (
    CaptureStatus,
    CardAuthorization,
    FinancialAdvice,
    InvoiceCreator,
    Terminal,
)
from forecourt.ocpi.storage.payment_tables import (
    card_authorizations,
    financial_advice,
    reservations,
    station_features,
    terminals,
)
from forecourt.storage.context import DbContext

_OPTIONAL = (
    "customer_reference",
    "reference",
    "address",
    "city",
    "postal_code",
    "country",
    "invoice_base_url",
)


class SqlPaymentRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    # -- terminals -----------------------------------------------------------------------------
    async def put_terminal(self, terminal: Terminal) -> None:
        values = {
            "party_id": terminal.party_id,
            "location_ids": list(terminal.location_ids),
            "evse_uids": list(terminal.evse_uids),
            "active": terminal.active,
            "last_updated": terminal.last_updated,
            "body": dict(terminal.body),
        }
        insert = self._db.insert(terminals).values(terminal_id=terminal.terminal_id, **values)
        upsert = insert.on_conflict_do_update(index_elements=[terminals.c.terminal_id], set_=values)
        await self._db.execute(upsert)

    async def terminal(self, terminal_id: str) -> Terminal | None:
        query = select(terminals).where(terminals.c.terminal_id == terminal_id)
        row = (await self._db.execute(query)).mappings().first()
        return None if row is None else _terminal(row)

    async def terminals(self) -> list[Terminal]:
        query = select(terminals).order_by(terminals.c.terminal_id)
        return [_terminal(row) for row in (await self._db.execute(query)).mappings()]

    # -- card authorizations and financial advice ------------------------------------------------
    async def add_authorization(self, authorization: CardAuthorization) -> bool:
        """False when the reference is already known (a replayed START_SESSION)."""
        query = select(card_authorizations.c.reference).where(
            card_authorizations.c.reference == authorization.reference
        )
        if (await self._db.execute(query)).first() is not None:
            return False
        await self._db.execute(
            card_authorizations.insert().values(
                reference=authorization.reference,
                party_id=authorization.party_id,
                station_id=authorization.station_id,
                evse_number=authorization.evse_number,
                terminal_id=authorization.terminal_id,
                created_at=authorization.created_at,
            )
        )
        return True

    async def authorization(self, reference: str) -> CardAuthorization | None:
        query = select(card_authorizations).where(card_authorizations.c.reference == reference)
        row = (await self._db.execute(query)).mappings().first()
        if row is None:
            return None
        return CardAuthorization(
            row["reference"],
            row["party_id"],
            row["station_id"],
            row["evse_number"],
            row["terminal_id"],
            row["created_at"],
        )

    async def put_advice(self, advice: FinancialAdvice) -> None:
        values = {
            "party_id": advice.party_id,
            "authorization_reference": advice.authorization_reference,
            "total": str(advice.total),
            "currency": advice.currency,
            "status": advice.status.value,
            "transaction_id": advice.transaction_id,
            "last_updated": advice.last_updated,
            "body": dict(advice.body),
        }
        insert = self._db.insert(financial_advice).values(id=advice.id, **values)
        upsert = insert.on_conflict_do_update(index_elements=[financial_advice.c.id], set_=values)
        await self._db.execute(upsert)

    async def advice(self, advice_id: str) -> FinancialAdvice | None:
        query = select(financial_advice).where(financial_advice.c.id == advice_id)
        row = (await self._db.execute(query)).mappings().first()
        return None if row is None else _advice(row)

    async def all_advice(self, limit: int) -> list[FinancialAdvice]:
        query = select(financial_advice).order_by(financial_advice.c.last_updated.desc())
        return [_advice(row) for row in (await self._db.execute(query.limit(limit))).mappings()]

    # -- station features ----------------------------------------------------------------------
    async def features(self) -> dict[str, StationFeatures]:
        rows = (await self._db.execute(select(station_features))).mappings()
        return {row["station_id"]: _features(row) for row in rows}

    async def put_features(self, features: StationFeatures) -> None:
        values = {
            "reservable": features.reservable,
            "card_reader": features.card_reader,
            "plug_and_charge": features.plug_and_charge,
            "updated_at": features.updated_at,
        }
        insert = self._db.insert(station_features).values(station_id=features.station_id, **values)
        upsert = insert.on_conflict_do_update(
            index_elements=[station_features.c.station_id], set_=values
        )
        await self._db.execute(upsert)

    # -- eMSPs' reservation ids ----------------------------------------------------------------
    async def link_reservation(self, party_id: int, reservation_id: str, our_id: int) -> None:
        values = {"our_id": our_id}
        insert = self._db.insert(reservations).values(
            party_id=party_id, reservation_id=reservation_id, **values
        )
        keys = [reservations.c.party_id, reservations.c.reservation_id]
        await self._db.execute(insert.on_conflict_do_update(index_elements=keys, set_=values))

    async def reservation(self, party_id: int, reservation_id: str) -> int | None:
        query = select(reservations.c.our_id).where(
            (reservations.c.party_id == party_id)
            & (reservations.c.reservation_id == reservation_id)
        )
        row = (await self._db.execute(query)).first()
        return None if row is None else int(row[0])


def _terminal(row: Mapping[Any, Any]) -> Terminal:
    body = dict(row["body"])
    creator = body.get("invoice_creator")
    optional = {name: body.get(name) for name in _OPTIONAL}
    return Terminal(
        terminal_id=row["terminal_id"],
        party_id=row["party_id"],
        last_updated=row["last_updated"],
        location_ids=tuple(row["location_ids"]),
        evse_uids=tuple(row["evse_uids"]),
        invoice_creator=InvoiceCreator(creator) if creator else None,
        active=bool(row["active"]),
        body=body,
        **optional,
    )


def _advice(row: Mapping[Any, Any]) -> FinancialAdvice:
    body = dict(row["body"])
    return FinancialAdvice(
        id=row["id"],
        party_id=row["party_id"],
        authorization_reference=row["authorization_reference"],
        total=Decimal(row["total"]),
        currency=row["currency"],
        eft_data=tuple(body.get("eft_data", ())),
        status=CaptureStatus(row["status"]),
        last_updated=row["last_updated"],
        message=str(body.get("capture_status_message") or ""),
        transaction_id=row["transaction_id"],
        body=body,
    )


def _features(row: Mapping[Any, Any]) -> StationFeatures:
    return StationFeatures(
        row["station_id"],
        bool(row["reservable"]),
        bool(row["card_reader"]),
        bool(row["plug_and_charge"]),
        row["updated_at"],
    )
