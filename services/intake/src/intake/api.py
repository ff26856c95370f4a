"""Operator API: thin routes that translate HTTP to use cases and errors to RFC 9457."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, FastAPI, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from qorgau_common.http import problem
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import repository as repo
from .crypto import FieldCipher
from .reports import ReportAccepted, ReportIn, ReportRejected
from .submit import submit_report

_bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True)
class Caller:
    name: str
    role: str


class Unauthorized(Exception):
    pass


class Forbidden(Exception):
    pass


@dataclass
class IntakeDeps:
    pool: Callable[[], asyncpg.Pool]
    cipher: FieldCipher


def require_role(*roles: str) -> Callable[..., Awaitable[Caller]]:
    async def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Caller:
        if credentials is None:
            raise Unauthorized()
        deps: IntakeDeps = request.app.state.deps
        found = await repo.token_role(deps.pool(), credentials.credentials)
        if found is None:
            raise Unauthorized()
        caller = Caller(*found)
        if caller.role not in roles:
            raise Forbidden()
        return caller

    return dependency


router = APIRouter(prefix="/v1", tags=["reports"])


@router.post(
    "/reports",
    status_code=201,
    response_model=ReportAccepted,
    summary="Submit a 102/111 call",
    responses={
        200: {"description": "Repeat of an earlier call id or Idempotency-Key; nothing new."},
        400: {"description": "Malformed JSON."},
        401: {"description": "Missing or invalid bearer token."},
        413: {"description": "Body over the size limit."},
        415: {"description": "Not application/json."},
        422: {"description": "A field is missing or wrong; the problem names it."},
    },
)
async def post_report(
    report: ReportIn,
    request: Request,
    response: Response,
    caller: Annotated[Caller, Depends(require_role("operator", "supervisor", "admin"))],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
) -> ReportAccepted:
    deps: IntakeDeps = request.app.state.deps
    accepted, created = await submit_report(
        deps.pool(), deps.cipher, report, actor=caller.name, idempotency_key=idempotency_key
    )
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"/v1/incidents/{accepted.incident_id}"
    return accepted


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
    return problem(422, "Invalid report", detail, errors=invalid)


async def _on_rejected(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ReportRejected)
    return problem(
        422, "Invalid report", str(exc), errors=[{"field": exc.field, "reason": exc.reason}]
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


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(ReportRejected, _on_rejected)
    app.add_exception_handler(Unauthorized, _on_unauthorized)
    app.add_exception_handler(Forbidden, _on_forbidden)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)


class BodyGuard:
    """Rejects bodies over the limit (413) and non-JSON bodies on /v1 writes (415)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send, 413)
            return
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if scope["path"].startswith("/v1/reports") and content_type != b"application/json":
            await self._reject(scope, receive, send, 415)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._reject(scope, receive, send, 413)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, status: int) -> None:
        detail = {
            413: ("Body too large", f"The body must be at most {self.max_bytes} bytes."),
            415: ("Unsupported media type", "Send the body as application/json."),
        }[status]
        await problem(status, *detail)(scope, receive, send)


class _TooLarge(Exception):
    pass
