"""The compat slice's tables, on the shared metadata (revisions 0060_compat_stalls,
0061_compat_driver_cars)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Integer, Table, Text

from forecourt.compat.domain.stalls import PostPosition, StallLayout
from forecourt.storage.tables import metadata
from forecourt.storage.types import EnumText, UtcDateTime

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

# the car a driver chose for their token ("my car"; revision 0061_compat_driver_cars)
compat_driver_cars = Table(
    "compat_driver_cars",
    metadata,
    Column("token", Text, primary_key=True),
    Column("vehicle_id", Text, nullable=False),
    Column("set_at", UtcDateTime, nullable=False),
    Column("set_by", Text, nullable=False),
)
