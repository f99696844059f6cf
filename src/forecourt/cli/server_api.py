"""Calling the running server's REST API from the CLI: the commands that reach stations go
there, because station connections live in the server process.

One transport and one reading of problem+json answers for every such command group.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from forecourt.cli.runtime import EXIT_FAILED, EXIT_USAGE, fail

if TYPE_CHECKING:  # imported when a request is made: `--help` needs none
    import httpx

DEFAULT_SERVER = "http://127.0.0.1:9000"

#: The options of a command group that reaches stations through the server.
ServerUrlOption = Annotated[
    str, typer.Option(envvar="FORECOURT_SERVER", help="The Forecourt server's base URL.")
]
ApiKeyOption = Annotated[
    str | None,
    typer.Option(envvar="FORECOURT_API_KEY", help="A technician (or higher) API key."),
]
TimeoutOption = Annotated[
    float, typer.Option(min=1, help="Seconds to wait for the server (and the station).")
]


@dataclass(frozen=True, slots=True)
class ApiServer:
    """The server a command group reaches (its callback's options), and one call to it."""

    url: str
    api_key: str | None
    timeout: float

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        usage_statuses: Collection[int] = (400, 422),
    ) -> httpx.Response:
        """``/api{path}``; an error answer exits as ``fail_on_problem`` says."""
        if not self.api_key:
            fail("an API key is needed: --api-key or FORECOURT_API_KEY", EXIT_USAGE)
        response = exchange(self.url, self.api_key, self.timeout, method, f"/api{path}", body=body)
        fail_on_problem(response, usage_statuses=usage_statuses, field_errors=True)
        return response


def exchange(
    url: str,
    api_key: str | None,
    timeout: float,
    method: str,
    path: str,
    *,
    body: dict[str, Any] | None = None,
    params: dict[str, str] | None = None,
) -> httpx.Response:
    """One request; no answer in time or no server there exits 1 with what went wrong."""
    import httpx

    headers = {"Authorization": f"Bearer {api_key}"}
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=timeout) as client:
            return client.request(method, path, json=body, params=params)
    except httpx.TimeoutException:
        fail(f"no answer from {url} within {timeout:g} s")
    except httpx.HTTPError as exc:
        fail(f"cannot reach the Forecourt server at {url}: {exc}")


def fail_on_problem(
    response: httpx.Response,
    *,
    usage_statuses: Collection[int] = (422,),
    field_errors: bool = False,
) -> None:
    """An error answer exits with its problem+json detail (never a trace): 2 (usage) for
    ``usage_statuses``, else 1; ``field_errors`` adds each invalid field on its own line."""
    if not response.is_error:
        return
    try:
        problem = response.json()
        detail = str(problem.get("detail") or problem.get("title"))
        if field_errors:
            for error in problem.get("errors", []) if isinstance(problem, dict) else []:
                detail += f"\n  {'.'.join(map(str, error.get('loc', [])))}: {error.get('msg')}"
    except (ValueError, AttributeError):
        detail = f"the server answered {response.status_code} {response.reason_phrase}"
    fail(detail, EXIT_USAGE if response.status_code in usage_statuses else EXIT_FAILED)
