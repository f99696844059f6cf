"""Sign in and out."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from forecourt.web.auth import SESSION_COOKIE, SESSION_MAX_AGE_S, client_address, set_cookie
from forecourt.web.context import Web
from forecourt.web.routes import page_router

router = page_router()

HOME = "/dashboard"


def safe_next(target: str) -> str:
    """Only local paths: a crafted link must not send a fresh session to another site."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return HOME


def _minutes(seconds: float) -> str:
    minutes = math.ceil(seconds / 60)
    return "a minute" if minutes <= 1 else f"{minutes} minutes"


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse(HOME, status_code=303)


@router.get("/login")
async def login_form(request: Request, web: Web, next: str = HOME) -> Response:
    context = {"next": safe_next(next), "error": None, "username": ""}
    return web.page(request, "login.html", context)


@router.post("/login")
async def login(
    request: Request,
    web: Web,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = HOME,
) -> Response:
    users = web.services.users
    address = client_address(request)
    user = await users.authenticate(username, password, address)
    if user is None:
        wait_s = users.retry_after_s(username, address)
        error = "Wrong username or password."
        if wait_s > 0:
            error = f"Too many failed attempts. Try again in {_minutes(wait_s)}."
        context = {"next": safe_next(next), "error": error, "username": username}
        refusal = web.page(request, "login.html", context, status_code=429 if wait_s else 401)
        if wait_s:
            refusal.headers["Retry-After"] = str(math.ceil(wait_s))
        return refusal
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, web.sessions.issue(user), SESSION_MAX_AGE_S)
    return response


@router.post("/logout")
async def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
