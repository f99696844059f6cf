"""The toy feature: a repository, a migration branch, services, a public API route, a page."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse

from forecourt.extension import Feature, Host, RepositoryFactory
from forecourt.ports.keys import Key
from forecourt.services.context import ServiceContext
from forecourt.services.core import Services
from forecourt.settings import Settings
from forecourt.web.scope import Reach


class Notes(Protocol):
    async def add(self, text: str) -> None: ...
    async def all(self) -> list[str]: ...


class Notebook:
    """The toy's services: they reach their repository through the core's unit of work."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self.started = False

    async def write(self, text: str) -> list[str]:
        async with self._ctx.uow() as uow:
            await uow.repository(NOTES).add(text)
            await uow.commit()
        return await self.read()

    async def read(self) -> list[str]:
        async with self._ctx.uow() as uow:
            return await uow.repository(NOTES).all()


NOTES: Key[Notes] = Key("toy.notes")
NOTEBOOK: Key[Notebook] = Key("toy")


class ToyFeature(Feature[Notebook]):
    def repositories(self) -> Mapping[Key[Any], RepositoryFactory]:
        from tests.feature_seam.toy.storage import SqlNotes

        return {NOTES: SqlNotes}

    def build(self, host: Host) -> Notebook:
        return Notebook(host.ctx)

    async def start(self, built: Notebook) -> None:
        built.started = True

    def install_api(self, router: APIRouter, services: Services) -> None:
        notebook = services.feature(NOTEBOOK)

        @router.post("/toy/notes")
        async def write(text: str) -> list[str]:
            return await notebook.write(text)

    def install_web(self, app: FastAPI, services: Services, _settings: Settings) -> None:
        notebook = services.feature(NOTEBOOK)

        @app.get("/toy", response_class=HTMLResponse)
        async def page() -> str:
            return "<ul>" + "".join(f"<li>{n}</li>" for n in await notebook.read()) + "</ul>"

    def page_reach(self) -> Mapping[str, Reach]:
        return {"GET /toy": Reach.PUBLIC}


FEATURE = ToyFeature(
    name="toy",
    key=NOTEBOOK,
    migrations=Path(__file__).with_name("migrations"),
    public_api_routes=frozenset({"POST /api/toy/notes"}),
)
