"""What the firmware slice is configured with (``Settings``, docs/firmware.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class FirmwareConfig:
    secret: str  # signs download URLs (the server's secret key)
    public_url: str = "http://127.0.0.1:9000"
    data_dir: Path = field(default_factory=lambda: Path("./forecourt-data"))
    max_image_bytes: int = 512 * 1024 * 1024
    url_ttl_s: float = 86400.0
    tick_interval_s: float = 30.0

    @property
    def image_dir(self) -> Path:
        return self.data_dir / "firmware"
