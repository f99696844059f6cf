"""Tokens the eMSPs pushed to us (migration 0051_ocpi_sessions)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Table, Text, UniqueConstraint

from forecourt.storage.tables import metadata
from forecourt.storage.types import BigId, UtcDateTime

tokens = Table(
    "ocpi_tokens",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("country_code", Text, nullable=False),
    Column("party_id", Text, nullable=False),
    Column("uid", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("contract_id", Text, nullable=False),
    Column("valid", Boolean, nullable=False),
    Column("whitelist", Text, nullable=False),
    Column("group_id", Text),
    Column("last_updated", UtcDateTime, nullable=False),
    Column("body", JSON, nullable=False),  # the whole Token as pushed (GET answers it)
    UniqueConstraint("country_code", "party_id", "uid", "type"),
)
