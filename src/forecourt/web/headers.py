"""Security headers on every HTTP response of the app (pages, API, static files, redirects).

Pages set their own Content-Security-Policy (``web.context``); everything else gets at least
``frame-ancestors 'none'``. HSTS is sent only over TLS (directly or via a trusted proxy that
uvicorn's ``--forwarded-allow-ips`` believes), never over plain HTTP where it means nothing.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = "max-age=31536000"  # one year; no includeSubDomains: other hosts are not ours to pin
BASELINE = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", "frame-ancestors 'none'"),
)


class SecurityHeaders:
    """Pure ASGI middleware (it never buffers, so server-sent events stream as before)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        over_tls = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in BASELINE:
                    headers.setdefault(name, value)
                if over_tls:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
