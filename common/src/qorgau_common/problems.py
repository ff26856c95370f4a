"""Rendering errors at the HTTP edge: RFC 9457 `application/problem+json`, never echoing input.

The errors themselves live in `errors`, free of FastAPI.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import Forbidden, InvalidInput, Unauthorized
from .infrastructure import INFRASTRUCTURE_ERRORS, is_infrastructure_error

__all__ = ["PROBLEM_JSON", "document_problems", "install_problem_handlers", "problem"]

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _field(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "header", "query", "path")]
    return ".".join(parts) or "body"


async def _on_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem(400, "Malformed JSON", "The request body is not valid JSON.")
    # Never echo the input: it may hold a phone number or a name.
    invalid = [{"field": _field(tuple(e["loc"])), "reason": e["msg"]} for e in errors]
    detail = "; ".join(f"{i['field']}: {i['reason']}" for i in invalid)
    return problem(422, "Invalid request", detail, errors=invalid)


async def _on_invalid_input(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    return problem(
        exc.status, exc.title, str(exc), errors=[{"field": exc.field, "reason": exc.reason}]
    )


async def _on_unauthorized(_: Request, __: Exception) -> JSONResponse:
    response = problem(401, "Unauthorized", "A valid bearer token is required.")
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def _on_forbidden(_: Request, __: Exception) -> JSONResponse:
    return problem(403, "Forbidden", "Your role may not do this.")


async def _on_http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    response = problem(exc.status_code, str(exc.detail), str(exc.detail))
    response.headers.update(exc.headers or {})  # e.g. a 405's `Allow`
    return response


async def _on_infrastructure(_: Request, exc: Exception) -> JSONResponse:
    if not is_infrastructure_error(exc):
        log.error("unexpected error", error=repr(exc))
        return problem(500, "Internal error", "Something went wrong; nothing was kept.")
    # The database is away (a restart, a failover): say so, and when to try again. The
    # request changed nothing, so the same request (same call id and key) is safe to resend.
    log.warning("request refused: infrastructure unavailable", error=type(exc).__name__)
    response = problem(
        503, "Service unavailable", "The database is not answering; send the same request again."
    )
    response.headers["Retry-After"] = "2"
    return response


def install_problem_handlers(app: FastAPI) -> None:
    # Every class `is_infrastructure_error` knows (asyncpg's InternalClientError, from a
    # connection the server dropped mid-request, was once missing here: a 500 during a
    # PostgreSQL kill), and PostgresError for the SQLSTATE classes it judges.
    infrastructure: list[type[Exception]] = [asyncpg.PostgresError]
    infrastructure += [e for e in INFRASTRUCTURE_ERRORS if issubclass(e, Exception)]
    for error in infrastructure:
        app.add_exception_handler(error, _on_infrastructure)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(InvalidInput, _on_invalid_input)
    app.add_exception_handler(Unauthorized, _on_unauthorized)
    app.add_exception_handler(Forbidden, _on_forbidden)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)


_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; never echoes the input.",
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}
_WHY = {
    400: "Malformed JSON or a malformed header.",
    401: "Missing or invalid bearer token.",
    403: "Your role may not do this.",
    404: "Nothing at this address.",
    413: "Body over the size limit (chunked or not).",
    415: "Not application/json.",
    422: "A field is missing or wrong; the problem names it.",
}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Document, on every operation of an OpenAPI document, the problems the chassis can
    answer there (401/403 where a token is needed, 404 where the path names something,
    413 and 415 for bodies, 400/422 for input), all as `application/problem+json`."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = _PROBLEM_SCHEMA
    content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes: set[int] = set()
            if operation.get("security"):
                codes |= {401, 403}
            if "{" in path:
                codes.add(404)
            if method in ("post", "put", "patch"):
                codes.add(413)
                if path.startswith("/v1/"):
                    codes.add(415)
            if operation.get("requestBody"):
                codes |= {400, 422}
            if operation.get("parameters"):
                codes.add(422)
            responses = operation["responses"]
            for code in codes:
                responses.setdefault(str(code), {"description": _WHY[code]})
            for code, response in responses.items():
                if code[0] in "45":
                    response["content"] = content
    return schema
