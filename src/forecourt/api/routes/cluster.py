"""Cluster status: the nodes, the stations each holds, lease ages, this node's event consumers
and their lag (docs/deploy.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from forecourt.api.deps import Context, Viewer
from forecourt.api.problems import problem_responses

router = APIRouter(tags=["operations"], responses=problem_responses(401, 403))


@router.get("/cluster", summary="Cluster nodes and the stations they hold")
async def cluster_status(context: Context, _caller: Viewer) -> dict[str, Any]:
    """In single-node mode: ``{"mode": "single"}`` (every station is on this process)."""
    if context.cluster_status is None:
        return {"mode": "single", "nodes": []}
    return context.cluster_status()
