"""API keys (admin only): the key itself is shown once, at creation."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from forecourt.api.bounds import RecordId
from forecourt.api.deps import Admin, Context
from forecourt.api.problems import problem_responses
from forecourt.api.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from forecourt.domain.errors import NotFound

router = APIRouter(tags=["api keys"], responses=problem_responses(401, 403))


@router.get("/api-keys", summary="List API keys (never the keys themselves)")
async def list_api_keys(context: Context, _: Admin) -> list[ApiKeyOut]:
    return [ApiKeyOut.from_domain(k) for k in await context.services.api_keys.list()]


@router.post(
    "/api-keys",
    summary="Create an API key; the response is the only time the key is shown",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(422),
)
async def create_api_key(body: ApiKeyCreate, context: Context, _: Admin) -> ApiKeyCreated:
    key, record = await context.services.api_keys.create(body.name, body.role)
    return ApiKeyCreated(**ApiKeyOut.from_domain(record).model_dump(), key=key)


@router.delete(
    "/api-keys/{key_id}",
    summary="Revoke an API key",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(404),
)
async def revoke_api_key(key_id: RecordId, context: Context, _: Admin) -> None:
    if not await context.services.api_keys.revoke(key_id):
        raise NotFound("API key", key_id)
