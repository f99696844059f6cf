"""OCPI's tables, on the shared metadata (migration 0050_ocpi)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, Table, Text

from forecourt.storage.tables import metadata
from forecourt.storage.types import BigId, UtcDateTime

#: One row per peer platform: the handshake's tokens, its version and endpoints, its roles.
parties = Table(
    "ocpi_parties",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("token_in", Text, nullable=False, unique=True),  # A, then C: the peer calls us
    Column("token_out", Text, nullable=False, server_default=""),  # B: we call the peer
    Column("versions_url", Text, nullable=False, server_default=""),
    Column("version", Text),
    Column("endpoints", JSON, nullable=False),
    Column("roles", JSON, nullable=False),
    Column("hub_party_id", Text, nullable=False, server_default=""),
    Column("created_at", UtcDateTime),
    Column("last_sync_at", UtcDateTime),
)

#: Objects still to send to a party (status pushes, tariffs), retried with back-off.
push_queue = Table(
    "ocpi_push_queue",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("party_id", Integer, nullable=False),
    Column("method", Text, nullable=False),
    Column("module", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("body", JSON, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text, nullable=False, server_default=""),
    Index(None, "due_at"),
)

#: A site's amenities and stall data (domain.amenities), as JSON; no row: none recorded.
site_amenities = Table(
    "ocpi_site_amenities",
    metadata,
    Column("site_id", Text, primary_key=True),
    Column("body", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
