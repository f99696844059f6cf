"""Errors of web pages become HTML pages (the API's problem+json handlers cover /api only).

Every web router uses ``PageRoute``: it turns domain errors, bad input and refusals raised by
a page (or its dependencies) into a small HTML page, a login redirect, or an htmx redirect.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from forecourt.domain.errors import (
    CommandNotSupported,
    Conflict,
    ForecourtError,
    InvalidInput,
    NotFound,
    StationOffline,
)


class PageError(Exception):
    """A refusal with a status and a message safe to show."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


class LoginRequired(Exception):
    """No valid session: browsers go to the sign-in page."""


class Forbidden(PageError):
    def __init__(self, message: str = "Your role does not allow this.") -> None:
        super().__init__(403, message)


_DOMAIN_STATUS: tuple[tuple[type[ForecourtError], int], ...] = (
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 400),
    (StationOffline, 409),
    (CommandNotSupported, 400),
)


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def login_redirect(request: Request) -> Response:
    if "text/event-stream" in request.headers.get("accept", ""):
        return Response(status_code=401)  # an EventSource stops retrying on 401
    target = "/login"
    if request.method == "GET":
        target += "?next=" + quote(request.url.path + _query(request), safe="")
    if is_htmx(request):  # an htmx swap must not put the login page inside a panel
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _query(request: Request) -> str:
    return f"?{request.url.query}" if request.url.query else ""


_DRIVER_PATHS = ("/s/", "/pay/", "/receipts")


def error_page(request: Request, status_code: int, message: str) -> Response:
    web = request.app.state.web
    template = "shared/error_fragment.html" if is_htmx(request) else "shared/error.html"
    path = request.url.path
    public = path.startswith(_DRIVER_PATHS)  # driver pages: no sign-in links, a way back
    site = path.split("/")[2] if path.startswith("/s/") and path.count("/") > 2 else ""
    context = {"status": status_code, "message": message, "public": public, "site_id": site}
    response: Response = web.page(request, template, context, status_code)
    return response


class PageRoute(APIRoute):
    """An APIRoute whose failures answer in HTML."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                return login_redirect(request)
            except PageError as refusal:
                return error_page(request, refusal.status_code, refusal.message)
            except ForecourtError as error:
                status = next((s for kind, s in _DOMAIN_STATUS if isinstance(error, kind)), 400)
                return error_page(request, status, str(error))
            except RequestValidationError as invalid:
                fields = ", ".join(str(e.get("loc", ("?",))[-1]) for e in invalid.errors())
                return error_page(request, 400, f"Please check: {fields}.")

        return handle
