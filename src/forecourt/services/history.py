"""Read side of transactions for operators: lists, details with samples."""

from __future__ import annotations

from dataclasses import dataclass

from forecourt.domain.errors import NotFound
from forecourt.domain.metering import MeterSample
from forecourt.domain.transactions import Transaction, TransactionState
from forecourt.ports.repositories import TransactionFilter
from forecourt.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class TransactionDetail:
    transaction: Transaction
    samples: list[MeterSample]


class TransactionHistory:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def list(self, flt: TransactionFilter) -> tuple[list[Transaction], int]:
        async with self._ctx.uow() as uow:
            return await uow.transactions.list(flt), await uow.transactions.count(flt)

    async def count_active(self) -> int:
        async with self._ctx.uow() as uow:
            return await uow.transactions.count(TransactionFilter(state=TransactionState.ACTIVE))

    async def detail(self, transaction_id: int) -> TransactionDetail:
        async with self._ctx.uow() as uow:
            tx = await uow.transactions.get(transaction_id)
            if tx is None:
                raise NotFound("transaction", transaction_id)
            return TransactionDetail(tx, await uow.meter.for_transaction(transaction_id))
