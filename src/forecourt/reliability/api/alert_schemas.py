"""Bodies of the reliability alert, threshold and SMTP routes, and the public site status."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from forecourt.api.bounds import Int64
from forecourt.reliability.api.schemas import Input
from forecourt.reliability.domain.alerts import Alert, AlertRoute, Channel
from forecourt.reliability.domain.model import Severity
from forecourt.reliability.services.status import PublicPort, PublicSite


class ThresholdsIn(Input):
    model: str | None = Field(None, description="Station model; None: defaults of every model.")
    overrides: dict[str, float | Int64 | str] = Field(
        description="Threshold name → value; an empty object resets them."
    )


class AlertRouteIn(Input):
    channel: Channel
    target: str = Field(min_length=3, max_length=500, description="Webhook URL or e-mail.")
    site_id: str | None = None
    min_severity: Severity = Severity.MINOR
    secret: str = Field("", max_length=500, description="HMAC-SHA256 key for webhooks.")
    name: str = Field("", max_length=200)


class AlertRouteOut(BaseModel):
    id: int
    name: str
    channel: Channel
    target: str
    site_id: str | None
    min_severity: Severity
    signed: bool
    enabled: bool

    @classmethod
    def of(cls, r: AlertRoute) -> AlertRouteOut:
        return cls(
            id=r.id,
            name=r.name,
            channel=r.channel,
            target=r.target,
            site_id=r.site_id,
            min_severity=r.min_severity,
            signed=bool(r.secret),
            enabled=r.enabled,
        )


class AlertOut(BaseModel):
    id: int
    route_id: int
    state: str
    created_at: datetime
    send_after: datetime
    attempts: int
    sent_at: datetime | None
    error: str
    tickets: list[int]

    @classmethod
    def of(cls, a: Alert) -> AlertOut:
        return cls(
            id=a.id,
            route_id=a.route_id,
            state=a.state.value,
            created_at=a.created_at,
            send_after=a.send_after,
            attempts=a.attempts,
            sent_at=a.sent_at,
            error=a.error,
            tickets=[int(i["ticket_id"]) for i in a.items],
        )


class SmtpIn(Input):
    host: str = Field(min_length=1)
    port: int = Field(25, ge=1, le=65535)
    sender: str = Field("forecourt@localhost", min_length=3)
    username: str | None = None
    password: str | None = None
    starttls: bool = False


class PublicPortOut(BaseModel):
    station_id: str
    evse_id: int
    connectors: list[str]
    rated_power_kw: float | None
    status: str = Field(description="available, charging, limited, out_of_order, offline, unknown")
    message: str = Field(description='For people, e.g. "Working, ~50 kW max today".')
    max_power_kw: float | None = Field(description="What a capable vehicle can expect today.")

    @classmethod
    def of(cls, p: PublicPort) -> PublicPortOut:
        return cls(
            station_id=p.station_id,
            evse_id=p.evse_id,
            connectors=p.connectors,
            rated_power_kw=_kw(p.rated_power_w),
            status=p.status.status.value,
            message=p.status.message,
            max_power_kw=_kw(p.status.max_power_w),
        )


class PublicSiteOut(BaseModel):
    site_id: str
    name: str
    ports: list[PublicPortOut]

    @classmethod
    def of(cls, s: PublicSite) -> PublicSiteOut:
        return cls(
            site_id=s.site.id, name=s.site.name, ports=[PublicPortOut.of(p) for p in s.ports]
        )


def _kw(watts: float | None) -> float | None:
    return None if watts is None else round(watts / 1000, 1)
