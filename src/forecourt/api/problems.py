"""Errors as problem+json (RFC 9457): one shape for every 4xx/5xx the API returns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, PlainTextResponse, Response

from forecourt.domain.errors import (
    CommandNotSupported,
    Conflict,
    ForecourtError,
    InvalidInput,
    NotFound,
    StationOffline,
    TooLarge,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
API_PREFIX = "/api"

#: Domain error -> (HTTP status, problem type slug, title). Order matters: first match wins.
_DOMAIN_PROBLEMS: tuple[tuple[type[ForecourtError], int, str, str], ...] = (
    (NotFound, 404, "not-found", "Not found"),
    (Conflict, 409, "conflict", "Conflict"),
    (StationOffline, 409, "station-offline", "Station offline"),
    (InvalidInput, 422, "invalid-input", "Invalid input"),
    (CommandNotSupported, 422, "command-not-supported", "Command not supported"),
    (TooLarge, 413, "too-large", "Content too large"),
)


class FieldProblem(BaseModel):
    """One invalid input field."""

    field: str = Field(description="Dotted path of the field, e.g. `rating.max_current_a`.")
    location: str = Field(description="`body`, `query`, `path` or `header`.")
    message: str
    type: str = Field(description="Machine-readable error code, e.g. `greater_than`.")


class Problem(BaseModel):
    """RFC 9457 problem details, served as `application/problem+json`."""

    type: str = Field(
        "about:blank", description="URI naming the kind of problem (`urn:forecourt:problem:*`)."
    )
    title: str
    status: int
    detail: str = ""
    instance: str = Field("", description="The request path that failed.")
    errors: list[FieldProblem] | None = Field(
        None, description="Each invalid field (validation problems only)."
    )


class ProblemError(Exception):
    """Raised by API code to answer with a problem (auth failures, ...)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        slug: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.slug = slug
        self.headers = headers


def problem_type(slug: str | None) -> str:
    return "about:blank" if slug is None else f"urn:forecourt:problem:{slug}"


def problem_response(
    request: Request,
    problem: Problem,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    problem.instance = request.url.path
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting the problems a route may return."""
    descriptions = {
        400: "Malformed request (e.g. a body that cannot be decoded)",
        401: "Missing or invalid API key",
        403: "The API key's role does not allow this",
        404: "Not found",
        409: "Conflicts with the current state",
        422: "Invalid input",
        500: "Unexpected server error (details are in the server log only)",
    }
    schema = {"$ref": f"{_SCHEMA_REF}{Problem.__name__}"}
    return {
        status: {
            "description": descriptions.get(status, "Problem"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}},
        }
        for status in statuses
    }


_SCHEMA_REF = "#/components/schemas/"


def document_problems(app: FastAPI) -> None:
    """Add the Problem schemas to the app's OpenAPI components (``problem_responses`` refer
    to them; FastAPI would otherwise document errors as ``application/json``)."""
    build_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build_openapi()
        problem = Problem.model_json_schema(ref_template=_SCHEMA_REF + "{model}")
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas.update(problem.pop("$defs", {}))
        schemas[Problem.__name__] = problem
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


async def _on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ForecourtError)
    status, slug, title = next(
        ((s, sl, t) for kind, s, sl, t in _DOMAIN_PROBLEMS if isinstance(exc, kind)),
        (400, "bad-request", "Bad request"),
    )
    problem = Problem(type=problem_type(slug), title=title, status=status, detail=str(exc))
    return problem_response(request, problem)


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    problem = Problem(
        type=problem_type(exc.slug), title=exc.title, status=exc.status, detail=exc.detail
    )
    return problem_response(request, problem, exc.headers)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not _is_api(request):
        return await request_validation_exception_handler(request, exc)
    errors = [_field_problem(error, exc.body) for error in exc.errors()]
    summary = "; ".join(f"{e.field}: {e.message}" for e in errors)
    problem = Problem(
        type=problem_type("validation"),
        title="Invalid request",
        status=422,
        detail=f"{len(errors)} invalid field{'s' if len(errors) != 1 else ''}: {summary}",
        errors=errors,
    )
    return problem_response(request, problem)


def _field_problem(error: dict[str, Any], body: Any) -> FieldProblem:
    location, *path = [str(part) for part in error.get("loc", ())] or ["body"]
    if error.get("type") == "json_invalid":
        path = []  # the location is a character offset, given in the message
    elif error.get("type") in ("union_tag_invalid", "union_tag_not_found"):
        path = [*path, str((error.get("ctx") or {}).get("discriminator", "")).strip("'")]
    elif location == "body":
        path = _without_union_tag(path, body)
    field = ".".join(path) or ("(body)" if location == "body" else location)
    return FieldProblem(
        field=field,
        location=location,
        message=_message(error),
        type=str(error.get("type", "")),
    )


def _without_union_tag(path: list[str], body: Any) -> list[str]:
    # A tagged union (commands) puts the tag in the location: body.reset.hard -> hard.
    if path and isinstance(body, dict) and path[0] == body.get("kind"):
        return path[1:]
    return path


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type")
    context = error.get("ctx") or {}
    if kind == "json_invalid":
        position = error.get("loc", ("body", 0))[-1]
        return f"malformed JSON at character {position}: {context.get('error', '')}"
    if isinstance(error.get("input"), bytes):
        return "send a JSON object with `Content-Type: application/json`"
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if not _is_api(request):
        return await http_exception_handler(request, exc)
    title = _HTTP_TITLES.get(exc.status_code, "Error")
    detail = exc.detail if isinstance(exc.detail, str) else title
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"there is no API resource at {request.url.path}"
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    problem = Problem(title=title, status=exc.status_code, detail=detail)
    return problem_response(request, problem, exc.headers)


_HTTP_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    415: "Unsupported media type",
}


async def _on_unexpected(request: Request, _exc: Exception) -> Response:
    # Internals stay in the server log (the server re-raises after answering), never in the reply.
    if not _is_api(request):
        return PlainTextResponse("Internal Server Error", status_code=500)
    problem = Problem(
        type=problem_type("internal"),
        title="Internal server error",
        status=500,
        detail="The server failed to handle this request; the error has been logged.",
    )
    return problem_response(request, problem)


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every API error as problem+json; other paths keep FastAPI's defaults."""
    document_problems(app)
    app.add_exception_handler(ForecourtError, _on_domain_error)
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
