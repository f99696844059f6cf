"""The compat slice's tables, on the shared metadata (revision 0060_compat_stalls)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Integer, Table, Text

from forecourt.compat.domain.stalls import PostPosition, StallLayout
from forecourt.storage.tables import metadata
from forecourt.storage.types import EnumText

compat_stalls = Table(
    "compat_stalls",
    metadata,
    Column("site_id", Text, primary_key=True),
    Column("stall_id", Text, primary_key=True),
    Column("station_id", Text, nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("layout", EnumText(StallLayout), nullable=False),
    Column("post", EnumText(PostPosition), nullable=False),
    Column("cable_reach_m", Float, nullable=False),
    Column("accessible", Boolean, nullable=False),
    Column("width_m", Float),
    Column("note", Text, nullable=False),
)
