"""Firmware images an operator uploaded or referenced, and their signed download URLs."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime


@dataclass(slots=True)
class FirmwareImage:
    """An image Forecourt serves (``url`` empty) or an operator's URL stations fetch."""

    version: str
    created_at: datetime
    url: str = ""  # the operator's own location; empty: uploaded, served by Forecourt
    file_name: str = ""
    size_bytes: int = 0
    sha256: str = ""
    signing_certificate: str = ""  # signed firmware (2.0.1 L01, 1.6 whitepaper)
    signature: str = ""
    created_by: str = ""
    id: int = 0

    @property
    def stored(self) -> bool:
        return not self.url


def download_signature(secret: str, image_id: int, expires: int) -> str:
    """HMAC-SHA256 over the image and the expiry: a URL nobody can forge or extend."""
    message = f"firmware-image:{image_id}:{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def valid_download(secret: str, image_id: int, expires: int, signature: str, now: float) -> bool:
    if expires < now:
        return False
    return hmac.compare_digest(download_signature(secret, image_id, expires), signature)
