"""Identification tokens: RFID cards, eMAIDs, MAC addresses... and blocking them."""

from __future__ import annotations

from fastapi import APIRouter, status

from forecourt.api.deps import Context, Operator, Viewer, role_of
from forecourt.api.problems import problem_responses
from forecourt.api.schemas import TokenCreate, TokenOut, TokenUpdate

router = APIRouter(tags=["tokens"], responses=problem_responses(401, 403))


@router.get("/tokens", summary="List tokens")
async def list_tokens(context: Context, caller: Viewer) -> list[TokenOut]:
    role = role_of(caller)
    return [TokenOut.from_domain(t, role) for t in await context.services.network.tokens()]


@router.post(
    "/tokens",
    summary="Add a token",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409, 422),
)
async def create_token(body: TokenCreate, context: Context, caller: Operator) -> TokenOut:
    token = await context.services.network.add_token(body.to_domain())
    return TokenOut.from_domain(token, role_of(caller))


@router.get("/tokens/{value}", summary="One token", responses=problem_responses(404))
async def get_token(value: str, context: Context, caller: Viewer) -> TokenOut:
    return TokenOut.from_domain(await context.services.network.token(value), role_of(caller))


@router.patch(
    "/tokens/{value}",
    summary="Block or unblock, change expiry, group or kind",
    responses=problem_responses(404, 422),
)
async def update_token(
    value: str, body: TokenUpdate, context: Context, caller: Operator
) -> TokenOut:
    token = await context.services.network.update_token(
        value,
        blocked=body.blocked,
        expires_at=body.expires_at,
        group=body.group,
        kind=body.kind,
    )
    return TokenOut.from_domain(token, role_of(caller))
