"""Cluster status: the nodes, the stations each holds, lease ages, this node's event consumers
and their lag, and what each durable consumer handled and skipped (docs/deploy.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

from forecourt.api.deps import Context, Viewer
from forecourt.api.problems import problem_responses
from forecourt.services.event_consumers import EventConsumers

router = APIRouter(tags=["operations"], responses=problem_responses(401, 403))


@router.get("/cluster", summary="Cluster nodes, the stations they hold, event consumers")
async def cluster_status(context: Context, _caller: Viewer) -> dict[str, Any]:
    """In single-node mode: ``{"mode": "single", "nodes": [], "consumed": []}`` (every
    station is on this process; no durable consumer records events). ``consumed``: per
    durable consumer, events handled by any node within the stream's retention (7 days),
    the newest one's time, and the redeliveries this node skipped since its start."""
    return await cluster_answer(context.cluster_status, context.services.consumers)


async def cluster_answer(
    status: Callable[[], dict[str, Any]] | None, consumers: EventConsumers
) -> dict[str, Any]:
    """The answer of ``GET /api/cluster``, also the Cluster page's."""
    answer: dict[str, Any] = status() if status is not None else {"mode": "single", "nodes": []}
    skipped = {c["name"]: c["skipped"] for c in answer.get("consumers", [])}
    answer["consumed"] = [
        {
            "consumer": tally.consumer,
            "events": tally.consumed,
            "skipped_here": skipped.get(tally.consumer, 0),
            "last_event_at": tally.last_at.isoformat(),
        }
        for tally in await consumers.tally()
    ]
    return answer
