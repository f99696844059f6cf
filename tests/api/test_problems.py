"""problem+json for every failure, and nothing of the server's internals in it."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from forecourt.api.problems import install_problem_handlers
from forecourt.domain.errors import CommandNotSupported, StationOffline
from tests.api.conftest import ApiRig


async def test_an_unexpected_error_is_500_without_internals(
    rig: ApiRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken() -> list[object]:
        raise RuntimeError("database on fire: password=hunter2")

    monkeypatch.setattr(rig.services.network, "sites", broken)

    response = await rig.client.get("/api/sites", headers=rig.auth())

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:forecourt:problem:internal"
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text


@pytest.mark.parametrize(
    ("error", "status", "slug"),
    [
        (StationOffline("CS-1"), 409, "station-offline"),
        (CommandNotSupported("1.6 stations have no GetBaseReport"), 422, "command-not-supported"),
    ],
)
async def test_domain_errors_map_to_statuses(
    rig: ApiRig, monkeypatch: pytest.MonkeyPatch, error: Exception, status: int, slug: str
) -> None:
    async def refuse(*_args: object, **_kwargs: object) -> object:
        raise error

    await rig.services.network.add_station("CS-1")
    monkeypatch.setattr(rig.services.remote, "send", refuse)

    response = await rig.client.post(
        "/api/stations/CS-1/commands", json={"kind": "reset"}, headers=rig.auth()
    )

    assert response.status_code == status
    assert response.json()["type"] == f"urn:forecourt:problem:{slug}"
    assert response.json()["detail"] == str(error)


async def test_malformed_json_says_where(rig: ApiRig) -> None:
    response = await rig.client.post(
        "/api/stations",
        content=b'{"id": "CS-1",}',
        headers={**rig.auth(), "Content-Type": "application/json"},
    )

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "(body)"
    assert error["type"] == "json_invalid"
    assert error["message"].startswith("malformed JSON at character 14:")


async def test_a_body_that_is_not_json_is_explained(rig: ApiRig) -> None:
    response = await rig.client.post("/api/stations", content=b"id=CS-1", headers=rig.auth())

    assert response.status_code == 422
    assert "Content-Type: application/json" in response.json()["detail"]


async def test_unknown_routes_and_methods_are_problems(rig: ApiRig) -> None:
    nowhere = await rig.client.get("/api/nowhere", headers=rig.auth())
    wrong_method = await rig.client.delete("/api/tokens", headers=rig.auth())

    assert nowhere.status_code == 404
    assert nowhere.headers["content-type"] == "application/problem+json"
    assert nowhere.json()["detail"] == "there is no API resource at /api/nowhere"
    assert wrong_method.status_code == 405
    assert wrong_method.json()["detail"] == "DELETE is not allowed on /api/tokens"


async def test_paths_outside_the_api_keep_their_own_errors() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/dashboard", response_class=PlainTextResponse)
    async def dashboard() -> str:
        return "ok"

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        missing = await client.get("/elsewhere")

    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/json"
    assert missing.json() == {"detail": "Not Found"}
