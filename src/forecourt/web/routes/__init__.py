"""Web routers. A new page is a module here with ``router = page_router()`` plus a template;
add its router to ``ROUTERS`` (and a ``NavItem`` when it belongs in the dashboard menu)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from forecourt.web.auth import csrf_checked
from forecourt.web.errors import PageRoute


def page_router() -> APIRouter:
    """HTML errors, CSRF checks on every state-changing request, hidden from the OpenAPI."""
    return APIRouter(
        route_class=PageRoute, include_in_schema=False, dependencies=[Depends(csrf_checked)]
    )
