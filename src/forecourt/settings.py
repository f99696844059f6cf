"""All configuration in one place: environment variables ``FORECOURT_*`` and CLI flags."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from forecourt.domain.stations import RegistrationPolicy


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FORECOURT_", extra="ignore")

    host: str = Field("127.0.0.1", description="Address to bind (HTTP API and OCPP websocket).")
    port: int = Field(9000, ge=0, le=65535, description="Port to bind.")
    database_url: str = Field(
        "sqlite+aiosqlite:///./forecourt.db",
        description="SQLAlchemy URL: sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db.",
    )
    heartbeat_interval: int = Field(300, ge=10, description="Heartbeat interval given at boot (s).")
    pending_retry_interval: int = Field(60, ge=5, description="Boot retry interval when Pending.")
    registration_policy: RegistrationPolicy = Field(
        RegistrationPolicy.STRICT,
        description="Unknown stations: strict (refuse), pending (await approval), auto (accept).",
    )
    require_station_password: bool = Field(
        False, description="Refuse stations that have no password set (security profile 1+)."
    )
    protocols: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["ocpp2.0.1", "ocpp1.6"],
        description="Offered OCPP subprotocols in order of preference.",
    )
    ws_ping_interval: float = Field(
        30.0, gt=0, description="WebSocket ping interval (s), independent of OCPP Heartbeat."
    )
    ws_ping_timeout: float = Field(30.0, gt=0, description="Close a socket whose pong is late (s).")
    call_timeout: float = Field(30.0, gt=0, description="Timeout of a CSMS-initiated call (s).")
    max_concurrent_handshakes: int = Field(
        200, ge=1, description="Admission control: handshakes processed at once (reconnect storms)."
    )
    clock_drift_threshold: float = Field(60.0, gt=0, description="Station clock drift alert (s).")
    tls_certfile: Path | None = Field(None, description="TLS certificate (security profile 2).")
    tls_keyfile: Path | None = Field(None, description="TLS private key (security profile 2).")
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING, ERROR.")
    log_format: LogFormat = Field(LogFormat.TEXT, description="text or json (one object per line).")
    secret_key: str = Field(
        "change-me-in-production",
        description="Signs dashboard sessions and driver links. Set it in production.",
    )

    @field_validator("protocols", mode="before")
    @classmethod
    def _split_protocols(cls, value: object) -> object:
        if isinstance(value, str):
            return [p.strip() for p in value.split(",") if p.strip()]
        return value

    @field_validator("protocols")
    @classmethod
    def _known_protocols(cls, value: list[str]) -> list[str]:
        unknown = [p for p in value if p not in ("ocpp1.6", "ocpp2.0.1")]
        if unknown or not value:
            raise ValueError(f"protocols must be ocpp1.6 and/or ocpp2.0.1, got {value}")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError(f"unknown log level {value!r}")
        return value.upper()

    @property
    def tls_enabled(self) -> bool:
        return self.tls_certfile is not None and self.tls_keyfile is not None
