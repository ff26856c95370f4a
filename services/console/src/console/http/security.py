"""Headers on every answer, the session behind the cookie, CSRF, and who may open what."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response
from starlette.types import ASGIApp

from console.domain.roles import Area, may_enter
from console.usecases import login

from .deps import Deps, deps

COOKIE = "qorgau_console"
AUTO_REFRESH = "X-Console-Auto"  # set by console.js for refreshes nobody asked for


def csp(tile_url: str) -> str:
    """No inline script or style anywhere; tiles only from the configured server."""
    tiles = ""
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "*"))
        tiles = f" {parts.scheme}://{parts.netloc}"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data:{tiles}; connect-src 'self'; font-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )


class SecurityHeaders(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, policy: str) -> None:
        super().__init__(app)
        self._policy = policy

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = self._policy
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response


class LoginRequired(Exception):
    pass


class WrongRole(Exception):
    pass


class BadCsrf(Exception):
    pass


def client_address(request: Request) -> str:
    return request.client.host if request.client else "-"


async def optional_session(request: Request, d: Deps = Depends(deps)) -> login.Session | None:  # noqa: B008
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    s = d.settings
    found = await login.current(
        d.pool,
        token,
        datetime.now(UTC),
        timedelta(seconds=s.session_idle_s),
        timedelta(seconds=s.session_max_s),
        touch=request.headers.get(AUTO_REFRESH) != "1",
    )
    request.state.session = found
    return found


def require(area: Area) -> Any:
    async def guard(
        request: Request,
        session: login.Session | None = Depends(optional_session),  # noqa: B008
    ) -> login.Session:
        if session is None:
            raise LoginRequired
        if not may_enter(session.user.role, area):
            raise WrongRole
        if request.method == "POST":
            form = await request.form()
            sent = str(form.get("csrf") or request.headers.get("X-CSRF-Token") or "")
            if not hmac.compare_digest(sent, session.csrf):
                raise BadCsrf
        return session

    return Depends(guard)


def set_cookie(response: Response, name: str, value: str, *, secure: bool, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, secure=secure, samesite="strict", path="/"
    )
