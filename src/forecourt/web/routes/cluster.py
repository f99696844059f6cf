"""Cluster mode: the nodes, how fresh each node's lease is, the stations each holds, and what
the durable event consumers handled and skipped."""

from __future__ import annotations

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from forecourt.api.routes.cluster import cluster_answer
from forecourt.services.access import Role
from forecourt.web.auth import Viewer
from forecourt.web.context import Web
from forecourt.web.routes import page_router
from forecourt.web.scope import whole_network

router = page_router()


@router.get("/dashboard/cluster", dependencies=[Depends(whole_network(Role.VIEWER))])
async def cluster_page(request: Request, _me: Viewer, web: Web) -> Response:
    answer = await cluster_answer(web.cluster_status, web.services.consumers)
    status = answer if answer["mode"] == "cluster" else None
    return web.page(request, "dashboard/cluster.html", {"status": status, "answer": answer})
