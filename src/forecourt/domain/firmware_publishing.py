"""A station as local firmware server for its neighbours (OCPP 2.0.1 L03/L04), in neutral terms.

A local controller downloads an image once, checks its MD5 and publishes it at URIs the
stations behind it download from; 1.6 has no such messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from forecourt.domain.errors import InvalidInput

_MD5_HEX = re.compile(r"[0-9a-fA-F]{32}")


def md5_checksum(value: str) -> str:
    """The checksum as the station compares it: 32 hex digits (L03.FR.01), lower case."""
    if not _MD5_HEX.fullmatch(value):
        raise InvalidInput("checksum must be an MD5 digest: 32 hexadecimal characters")
    return value.lower()


@dataclass(frozen=True, slots=True)
class PublishFirmware:
    """Download the image at ``location`` and publish it to other stations (2.0.1 L03)."""

    location: str
    checksum: str  # MD5, 32 hex digits
    request_id: int = 0
    retries: int | None = None
    retry_interval_s: int | None = None


@dataclass(frozen=True, slots=True)
class UnpublishFirmware:
    """Stop publishing the image with this MD5 ``checksum`` (2.0.1 L04)."""

    checksum: str


class PublishState(StrEnum):
    """Where a publication is: PublishFirmwareStatusEnumType in neutral words, plus ours."""

    REQUESTED = "requested"  # we sent PublishFirmware; the station has said nothing yet
    REJECTED = "rejected"  # the station refused PublishFirmware
    UNPUBLISHED = "unpublished"  # UnpublishFirmware succeeded
    IDLE = "idle"
    DOWNLOAD_SCHEDULED = "download_scheduled"
    DOWNLOADING = "downloading"
    DOWNLOADED = "downloaded"
    PUBLISHED = "published"
    DOWNLOAD_FAILED = "download_failed"
    DOWNLOAD_PAUSED = "download_paused"
    INVALID_CHECKSUM = "invalid_checksum"
    CHECKSUM_VERIFIED = "checksum_verified"
    PUBLISH_FAILED = "publish_failed"

    @property
    def failed(self) -> bool:
        return self in _FAILED


_FAILED = frozenset(
    {
        PublishState.REJECTED,
        PublishState.DOWNLOAD_FAILED,
        PublishState.INVALID_CHECKSUM,
        PublishState.PUBLISH_FAILED,
    }
)


@dataclass(frozen=True, slots=True)
class PublishReport:
    """One PublishFirmwareStatusNotification: ``locations`` are set once Published."""

    state: PublishState
    request_id: int | None = None
    locations: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Publication:
    """The last firmware publication asked of a station and where it is."""

    state: PublishState
    request_id: int
    checksum: str
    location: str  # where the station downloads the image from
    locations: list[str] = field(default_factory=list)  # where it publishes it
