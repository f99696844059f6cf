"""Jinja2 templates, the filters they share, and cache-busted static URLs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from forecourt.domain.money import Money
from forecourt.domain.zones import zone_of
from forecourt.services.access import mask_token

STATIC_DIR = Path(__file__).with_name("static")
STATIC_PREFIX = "/static"


def kilowatts(watts: float | None) -> str:
    """150000 -> '150 kW', 7400 -> '7.4 kW'; '—' when unknown."""
    if watts is None:
        return "—"
    kw = watts / 1000
    return f"{kw:.0f} kW" if kw >= 100 or kw == int(kw) else f"{kw:.1f} kW"


def kilowatt_hours(watt_hours: float | None) -> str:
    if watt_hours is None:
        return "—"
    return f"{watt_hours / 1000:,.2f} kWh"


def money(minor: int | None, currency: str) -> str:
    """Integer minor units as people read them (``3044, "USD"`` -> ``$30.44``), '—' if none.

    The one money format of every page; ``Money.format`` is the same rule for API text,
    the CLI and receipts.
    """
    return "—" if minor is None else Money(minor, currency).format()


def fields(data: Mapping[str, Any] | list[Any] | None) -> str:
    """Event data for people: ``firmware version 1.0.0 · model SimDC-150``, not raw JSON.

    Empty values are left out; nested values keep a compact JSON form.
    """
    if not data:
        return "—"
    if not isinstance(data, Mapping):
        return " · ".join(str(item) for item in data)
    shown = []
    for key, value in data.items():
        if value in ("", None, [], {}):
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        shown.append(f"{key.replace('_', ' ')} {text}")
    return " · ".join(shown) or "—"


def timestamp(at: datetime | None) -> str:
    """Operators read UTC everywhere (stations and logs speak UTC)."""
    if at is None:
        return "—"
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def clock_time(at: datetime | None, zone: str = "UTC") -> str:
    """``14:05 CST``. The one time-zone rule: operator pages speak UTC; driver pages and
    receipts speak the site's zone (``clock(site.timezone)``), always with the zone shown."""
    if at is None:
        return "—"
    local = at.astimezone(zone_of(zone))
    return local.strftime("%H:%M ") + (local.tzname() or zone)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"


def iso(at: datetime | None) -> str:
    return "" if at is None else at.astimezone(UTC).isoformat()


def masked(value: str | None, reveal: bool = True) -> str:
    """Token values are personal data: people who do not manage tokens see the last 4."""
    if not value:
        return "—"
    return value if reveal else mask_token(value)


@cache
def static_url(path: str) -> str:
    """``/static/app.css?v=<content hash>``: browsers may cache static files forever."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]
    return f"{STATIC_PREFIX}/{path}?v={digest}"


def build_environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("forecourt.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a typo in a template fails a test, not a page in silence
        trim_blocks=True,
        lstrip_blocks=True,
        enable_async=False,
    )
    environment.filters.update(
        kw=kilowatts,
        kwh=kilowatt_hours,
        when=timestamp,
        clock=clock_time,
        duration=duration,
        iso=iso,
        masked=masked,
        money=money,
        fields=fields,
    )
    environment.globals["static"] = static_url
    return environment


class Renderer:
    """Renders a template to an HTML response; one per application."""

    def __init__(self) -> None:
        self.environment = build_environment()

    def html(self, template: str, context: Mapping[str, Any]) -> str:
        return self.environment.get_template(template).render(context)

    def response(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any],
        status_code: int = 200,
    ) -> HTMLResponse:
        body = self.html(template, {"request": request, **context})
        return HTMLResponse(body, status_code=status_code)
