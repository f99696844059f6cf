"""The accounts tables, on the shared metadata (migration 0041_accounts)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Table, Text

from forecourt.storage.tables import metadata
from forecourt.storage.types import UtcDateTime

accounts = Table(
    "acc_accounts",
    metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("reference", Text, nullable=False, server_default=""),
    Column("created_at", UtcDateTime, nullable=False),
)

#: A token belongs to at most one account (its primary key).
account_tokens = Table(
    "acc_tokens",
    metadata,
    Column("token", Text, primary_key=True),
    Column("account_id", Text, ForeignKey("acc_accounts.id", ondelete="CASCADE"), nullable=False),
    Column("added_at", UtcDateTime, nullable=False),
    Index("ix_acc_tokens_account_id", "account_id"),
)

#: Sites billed to accounts, with the energy price their statements use (decimal text).
billed_sites = Table(
    "acc_billed_sites",
    metadata,
    Column("site_id", Text, primary_key=True),
    Column("price_per_kwh", Text, nullable=False),
    Column("currency", Text, nullable=False),
)
