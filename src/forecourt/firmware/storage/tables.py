"""The firmware slice's tables, on the shared metadata (revision 0016_firmware)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Integer, Table, Text

from forecourt.firmware.domain.campaigns import CampaignStatus, TargetStatus
from forecourt.storage.tables import metadata
from forecourt.storage.types import BigId, EnumText, UtcDateTime

firmware_images = Table(
    "firmware_images",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("version", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("size_bytes", BigId, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("signing_certificate", Text, nullable=False),
    Column("signature", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

firmware_campaigns = Table(
    "firmware_campaigns",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("image_id", BigId, ForeignKey("firmware_images.id"), nullable=False),
    Column("selection", JSON, nullable=False),
    Column("canary_percent", Integer, nullable=False),
    Column("wave_size", Integer, nullable=False),
    Column("max_attempts", Integer, nullable=False),
    Column("retry_delay_s", Integer, nullable=False),
    Column("failure_threshold", Integer, nullable=False),
    Column("window", JSON),
    Column("progress_timeout_s", Integer, nullable=False),
    Column("status", EnumText(CampaignStatus), nullable=False),
    Column("status_reason", Text, nullable=False),
    Column("rollback_of", BigId),
    Column("created_by", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

campaign_targets = Table(
    "firmware_campaign_targets",
    metadata,
    Column("campaign_id", BigId, ForeignKey("firmware_campaigns.id"), primary_key=True),
    Column("station_id", Text, primary_key=True),
    Column("wave", Integer, nullable=False),
    Column("status", EnumText(TargetStatus), nullable=False, index=True),
    Column("attempts", Integer, nullable=False),
    Column("request_id", Integer, nullable=False),
    Column("firmware_state", Text, nullable=False),
    Column("previous_version", Text, nullable=False),
    Column("next_attempt_at", UtcDateTime),
    Column("updated_at", UtcDateTime),
    Column("detail", Text, nullable=False),
)
