"""Rendering errors at the HTTP edge: RFC 9457 `application/problem+json`, never echoing input.

The errors themselves live in `errors`, free of FastAPI.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import Forbidden, InvalidInput, Unauthorized

__all__ = ["PROBLEM_JSON", "install_problem_handlers", "problem"]

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
    return problem(exc.status_code, str(exc.detail), str(exc.detail))


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(InvalidInput, _on_invalid_input)
    app.add_exception_handler(Unauthorized, _on_unauthorized)
    app.add_exception_handler(Forbidden, _on_forbidden)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
