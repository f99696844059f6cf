"""Many configuration items at once: split to what the station takes per message, merged."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, model_validator

from forecourt.api.command_bodies import ConfigKeyText
from forecourt.api.deps import Context, Technician, requester
from forecourt.api.problems import problem_responses
from forecourt.domain.commands import CommandStatus, ConfigKey, SetConfiguration

router = APIRouter(tags=["commands"], responses=problem_responses(401, 403))


class ConfigurationBatchIn(BaseModel):
    """Exactly one of ``get`` (keys to read) and ``set`` (key -> value)."""

    model_config = ConfigDict(extra="forbid")
    get: list[ConfigKeyText] = Field(default_factory=list, max_length=1000)
    set: dict[ConfigKeyText, str] = Field(default_factory=dict, max_length=1000)

    @model_validator(mode="after")
    def _exactly_one(self) -> ConfigurationBatchIn:
        if bool(self.get) == bool(self.set):
            raise ValueError("give exactly one of get (keys) and set (key: value)")
        for value in self.set.values():
            if len(value) > 1000:
                raise ValueError("a value is at most 1000 characters")
        return self


class ConfigurationBatchOut(BaseModel):
    status: CommandStatus
    succeeded: bool
    items: list[dict[str, Any]] = Field(description="One entry per item: key, status (value).")
    commands: list[int] = Field(description="The command records of the messages it took.")
    error: str


@router.post(
    "/stations/{station_id}/configuration",
    summary="Read or change many configuration items",
    description=(
        "Split into as many GetVariables/SetVariables (1.6: GetConfiguration /"
        " ChangeConfiguration) as the station's per-message limits require"
        " (`DeviceDataCtrlr.ItemsPerMessage`/`BytesPerMessage`, 1.6"
        " `GetConfigurationMaxKeys`), read from the station first; results merged per item."
    ),
    responses=problem_responses(404, 422),
)
async def configuration_batch(
    station_id: str, body: ConfigurationBatchIn, context: Context, caller: Technician
) -> ConfigurationBatchOut:
    batches = context.services.configuration
    by = requester(caller)
    if body.get:
        keys = [ConfigKey.parse(text) for text in body.get]
        result = await batches.read(station_id, keys, requested_by=by)
    else:
        items = [SetConfiguration(ConfigKey.parse(k), v) for k, v in body.set.items()]
        result = await batches.write(station_id, items, requested_by=by)
    return ConfigurationBatchOut(
        status=result.status,
        succeeded=result.status.succeeded,
        items=result.items,
        commands=result.commands,
        error=result.error,
    )
