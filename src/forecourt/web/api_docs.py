"""``/docs`` (Swagger UI) and ``/redoc`` from assets shipped in the package.

FastAPI's defaults load both from a CDN, so an operator without internet access (a depot
network, a laptop on a train) saw blank pages. The vendored copies and their licences are
listed in ``static/vendor/README.md``.
"""

from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html
from starlette.responses import HTMLResponse

from forecourt.web.rendering import static_url

#: Nothing leaves this server: ReDoc would fetch its maker's logo from a CDN, for example.
#: No inline scripts (Swagger UI starts from js/swagger-init.js); both UIs set inline styles;
#: ReDoc searches in a blob: worker.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
    " img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self';"
    " object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
SWAGGER_UI = "vendor/swagger-ui-dist-5.36.0"
REDOC = "vendor/redoc-2.5.4"


def install_api_docs(app: FastAPI) -> None:
    """Serve the API docs pages; create ``app`` with ``docs_url=None, redoc_url=None``."""
    openapi_url = app.openapi_url or "/openapi.json"
    title = f"{app.title} API"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return _confined(HTMLResponse(_swagger_page(openapi_url, title)))

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _confined(
            get_redoc_html(
                openapi_url=openapi_url,
                title=title,
                redoc_js_url=static_url(f"{REDOC}/redoc.standalone.js"),
                redoc_favicon_url=static_url(f"{SWAGGER_UI}/favicon-32x32.png"),
                with_google_fonts=False,
            )
        )


def _swagger_page(openapi_url: str, title: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="{static_url(f"{SWAGGER_UI}/swagger-ui.css")}">
<link rel="icon" href="{static_url(f"{SWAGGER_UI}/favicon-32x32.png")}">
</head>
<body>
<div id="swagger-ui" data-openapi="{escape(openapi_url)}"></div>
<script src="{static_url(f"{SWAGGER_UI}/swagger-ui-bundle.js")}"></script>
<script src="{static_url("js/swagger-init.js")}"></script>
</body>
</html>
"""


def _confined(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = DOCS_CSP
    page.headers["X-Content-Type-Options"] = "nosniff"
    return page
