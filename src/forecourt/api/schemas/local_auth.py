"""Local authorization lists and reservations: request and response models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from forecourt.api.schemas.base import Input, ResourceId, UtcDatetime
from forecourt.domain.local_auth import ListSync, Reservation, ReservationState
from forecourt.services.access import Role, shown_token
from forecourt.services.local_lists import MAX_LIST_SIZE, LocalListView


class LocalListIn(Input):
    tokens: list[str] = Field(
        max_length=MAX_LIST_SIZE, description="The registered tokens the list holds."
    )


class SyncIn(Input):
    full: bool = Field(False, description="Send the whole list, whatever the station holds.")


class LimitIn(Input):
    max_per_message: int | None = Field(
        None,
        ge=1,
        le=MAX_LIST_SIZE,
        description="Entries per SendLocalList (1.6 SendLocalListMaxLength, 2.0.1"
        " LocalAuthListCtrlr.ItemsPerMessage); bigger updates are split. null: no limit.",
    )


class AuthCacheIn(Input):
    enabled: bool


class ScopeListOut(BaseModel):
    scope: str
    scope_id: str
    tokens: list[str]
    stations: list[str] = Field(description="The stations this list reaches (synced now).")


class LocalListOut(BaseModel):
    station_id: str
    source: str = Field(description='"station", "site" (inherited) or "" (no list).')
    tokens: list[str] = Field(description="What the station should hold.")
    version: int = Field(description="The version the station last accepted.")
    sync: ListSync
    detail: str
    on_station: list[str] = Field(description="What the station holds (as last accepted).")
    max_per_message: int | None
    auth_cache_enabled: bool | None
    updated_at: datetime | None

    @classmethod
    def from_view(cls, view: LocalListView, role: Role | None) -> LocalListOut:
        state = view.state
        return cls(
            station_id=view.station_id,
            source=view.source,
            tokens=[shown_token(t, role) or "" for t in view.tokens],
            version=state.version,
            sync=state.sync,
            detail=state.detail,
            on_station=[shown_token(t, role) or "" for t in sorted(state.entries)],
            max_per_message=state.max_per_message,
            auth_cache_enabled=state.auth_cache_enabled,
            updated_at=state.updated_at,
        )


class ReservationIn(Input):
    station_id: ResourceId
    id_token: str = Field(min_length=1, max_length=255)
    expires_at: UtcDatetime
    evse_id: int = Field(0, ge=0, le=2**31 - 1, description="0: any connector of the station.")
    connector_type: str | None = Field(
        None, max_length=32, description="2.0.1 ConnectorEnumType, e.g. cCCS1 (optional)."
    )


class ReservationOut(BaseModel):
    id: int
    station_id: str
    evse_id: int
    id_token: str
    group: str | None
    connector_type: str | None
    expires_at: datetime
    created_at: datetime
    state: ReservationState
    answer: str = Field(description="The station's answer, or why the reservation ended.")
    ended_at: datetime | None
    transaction_id: int | None
    requested_by: str

    @classmethod
    def from_domain(cls, r: Reservation, role: Role | None) -> ReservationOut:
        return cls(
            id=r.id,
            station_id=r.station_id,
            evse_id=r.evse_id,
            id_token=shown_token(r.id_token, role) or "",
            group=r.group,
            connector_type=r.connector_type,
            expires_at=r.expires_at,
            created_at=r.created_at,
            state=r.state,
            answer=r.answer,
            ended_at=r.ended_at,
            transaction_id=r.transaction_id,
            requested_by=r.requested_by,
        )
