"""Shared pieces of request and response models."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

#: Ids travel in URL paths: no slashes, whitespace or URL delimiters.
ResourceId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^/\s?#%]+$")]
Positive = Annotated[float, Field(gt=0)]
#: Instants must carry their offset (a station's local time is ambiguous); stored as UTC.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(lambda at: at.astimezone(UTC))]


class Input(BaseModel):
    """Request bodies: unknown fields are an error, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid")
