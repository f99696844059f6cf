"""Roaming sessions and CDRs (migration 0052_ocpi_cdrs)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Index, Integer, Table, Text

from forecourt.storage.tables import metadata
from forecourt.storage.types import BigId, UtcDateTime

#: A transaction that belongs to a roaming partner (its token), and how it was authorized.
sessions = Table(
    "ocpi_sessions",
    metadata,
    Column("transaction_id", BigId, primary_key=True, autoincrement=False),
    Column("party_id", Integer, nullable=False),
    Column("token", JSON, nullable=False),  # the CdrToken
    Column("auth_method", Text, nullable=False),
    Column("authorization_reference", Text),
    Column("location_id", Text, nullable=False),
    Column("evse_uid", Text, nullable=False),
    Column("connector_id", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "party_id"),
)

#: One CDR per ended roaming session, never changed: its object per version, as sent.
cdrs = Table(
    "ocpi_cdrs",
    metadata,
    Column("id", Text, primary_key=True),
    Column("transaction_id", BigId, nullable=False, unique=True),
    Column("party_id", Integer, nullable=False),
    Column("currency", Text, nullable=False),
    Column("total", Text, nullable=False),
    Column("kwh", Float, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("bodies", JSON, nullable=False),
    Index(None, "party_id"),
)
