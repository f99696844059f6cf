"""Request and response bodies of the REST API: pydantic models, separate from the domain.

Responses are built from domain objects with ``from_domain`` constructors so that the wire
shape can evolve without touching the domain (and secrets like password hashes never leak).
"""

from forecourt.api.schemas.access import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    TokenCreate,
    TokenOut,
    TokenUpdate,
)
from forecourt.api.schemas.base import Input, Positive, ResourceId, UtcDatetime
from forecourt.api.schemas.history import (
    MeterSampleOut,
    SignedReadingOut,
    TransactionDetailOut,
    TransactionOut,
    TransactionPage,
)
from forecourt.api.schemas.network import (
    ConnectorOut,
    ConnectorPut,
    EvseOut,
    EvsePowerPut,
    RatingOut,
    SiteCreate,
    SiteDetail,
    SiteOut,
    StationCreate,
    StationEventOut,
    StationOut,
    StationSummary,
    StationUpdate,
    StatusHistoryOut,
)

__all__ = [
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyOut",
    "ConnectorOut",
    "ConnectorPut",
    "EvseOut",
    "EvsePowerPut",
    "Input",
    "MeterSampleOut",
    "Positive",
    "RatingOut",
    "ResourceId",
    "SignedReadingOut",
    "SiteCreate",
    "SiteDetail",
    "SiteOut",
    "StationCreate",
    "StationEventOut",
    "StationOut",
    "StationSummary",
    "StationUpdate",
    "StatusHistoryOut",
    "TokenCreate",
    "TokenOut",
    "TokenUpdate",
    "TransactionDetailOut",
    "TransactionOut",
    "TransactionPage",
    "UtcDatetime",
]
