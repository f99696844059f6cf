"""Sign in and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from forecourt.web.auth import SESSION_COOKIE, SESSION_MAX_AGE_S, set_cookie
from forecourt.web.context import Web
from forecourt.web.routes import page_router

router = page_router()

HOME = "/dashboard"


def safe_next(target: str) -> str:
    """Only local paths: a crafted link must not send a fresh session to another site."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return HOME


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
    user = await users.authenticate(username, password)
    if user is None:
        error = (
            "Too many failed attempts for this username. Wait 15 minutes and try again."
            if users.throttled(username)
            else "Wrong username or password."
        )
        context = {"next": safe_next(next), "error": error, "username": username}
        return web.page(request, "login.html", context, status_code=401)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, web.sessions.issue(user), SESSION_MAX_AGE_S)
    return response


@router.post("/logout")
async def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
