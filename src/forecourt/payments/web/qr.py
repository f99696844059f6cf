"""Printable QR codes: one per EVSE, leading a phone to that dispenser's scan-to-pay page."""

from __future__ import annotations

import io

import segno
from starlette.requests import Request
from starlette.responses import Response

from forecourt.web.routes import page_router

router = page_router()


@router.get("/pay/{station_id}/{evse_id}/qr.svg")
async def evse_qr_code(request: Request, station_id: str, evse_id: int) -> Response:
    """SVG (scales to any sticker size); error correction M survives scuffs on a dispenser."""
    target = str(request.url_for("evse_qr_code", station_id=station_id, evse_id=evse_id))
    url = target.removesuffix("/qr.svg")
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=4, title=url)
    return Response(
        buffer.getvalue(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )
