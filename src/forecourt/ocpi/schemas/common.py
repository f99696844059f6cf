"""Transport objects: the response envelope, versions, endpoints, credentials."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from forecourt.ocpi.domain.parties import Role

CiString2 = Field(pattern=r"^[A-Z]{2}$")
CiString3 = Field(pattern=r"^[A-Z0-9]{3}$")


class OcpiModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    def wire(self) -> dict[str, Any]:
        data: dict[str, Any] = self.model_dump(mode="json", exclude_none=True)
        return data


def timestamp(at: datetime) -> str:
    """transport_and_format §5.3 DateTime: UTC, second precision, ``Z``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(data: Any, code: int = 1000, message: str = "Success") -> dict[str, Any]:
    """transport_and_format §5.1 response format."""
    body: dict[str, Any] = {
        "status_code": code,
        "status_message": message,
        "timestamp": timestamp(datetime.now(UTC)),
    }
    if data is not None:
        body["data"] = data
    return body


class VersionEntry(OcpiModel):
    version: str
    url: str


class Endpoint(OcpiModel):
    identifier: str
    role: str = Field(pattern=r"^(SENDER|RECEIVER)$")
    url: str


class VersionDetails(OcpiModel):
    version: str
    endpoints: list[Endpoint]


class BusinessDetails(OcpiModel):
    name: str = Field(max_length=100)
    website: str | None = None


class CredentialsRole(OcpiModel):
    role: Role
    business_details: BusinessDetails
    party_id: str = CiString3
    country_code: str = CiString2


class CredentialsObject(OcpiModel):
    """credentials §7.3.1 (identical in 2.2.1 and 2.3.0)."""

    token: str = Field(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")
    url: str = Field(min_length=1, max_length=255)
    roles: list[CredentialsRole] = Field(min_length=1)
