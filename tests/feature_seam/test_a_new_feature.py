"""Adding a feature is one package and one line in the feature list (ADR 0009).

The toy feature (``tests/feature_seam/toy``) is installed the way ``forecourt.features`` lists
the real ones, without a line of the core changing: its migration branch runs, its repository
is found through the core's unit of work, its services are built and started, its API route
and its page answer over real HTTP from a real server.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import text

from forecourt.features import FEATURES, storage_extensions
from forecourt.storage.revisions import packaged_heads
from tests.feature_seam.toy.feature import FEATURE as TOY
from tests.feature_seam.toy.feature import NOTEBOOK
from tests.support.server import running_server

INSTALLED = (*FEATURES, TOY)  # the one line


async def test_the_toy_feature_plugs_in_end_to_end(tmp_path: Path) -> None:
    async with running_server(tmp_path, features=INSTALLED) as server:
        async with httpx.AsyncClient(base_url=server.http_url) as http:
            written = await http.post("/api/toy/notes", params={"text": "hello"})
            page = await http.get("/toy")
        notebook = server.forecourt.services.feature(NOTEBOOK)
        async with server.forecourt.database.engine.connect() as connection:
            heads = {
                row[0] for row in await connection.execute(text("SELECT * FROM alembic_version"))
            }

    assert written.status_code == 200, written.text
    assert written.json() == ["hello"]
    assert page.status_code == 200
    assert "<li>hello</li>" in page.text
    assert notebook.started  # the serving process started it like the real features
    assert "t001_toy_notes" in heads
    assert heads == packaged_heads(storage_extensions(INSTALLED).version_locations)


async def test_without_its_line_the_feature_is_absent(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server:
        async with httpx.AsyncClient(base_url=server.http_url) as http:
            missing = await http.post("/api/toy/notes", params={"text": "hello"})
        async with server.forecourt.database.engine.connect() as connection:
            tables = await connection.execute(
                text("SELECT name FROM sqlite_master WHERE name = 'toy_notes'")
            )
            assert tables.first() is None
    assert missing.status_code == 404
