"""Log in, log out, choose the language."""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from console.db import users
from console.domain.roles import home_page
from console.usecases import login

from .deps import Deps, deps
from .i18n import pick_language
from .security import COOKIE, BadCsrf, client_address, optional_session, set_cookie

router = APIRouter()
LOGIN_CSRF = "qorgau_console_login"
Session = Annotated[login.Session | None, Depends(optional_session)]
D = Annotated[Deps, Depends(deps)]


def _home(session: login.Session) -> RedirectResponse:
    return RedirectResponse(home_page(session.user.role), status_code=303)


@router.get("/")
async def root(session: Session) -> Response:
    return _home(session) if session else RedirectResponse("/login", status_code=303)


def _login_page(
    request: Request, d: Deps, *, error: str | None = None, lang: str | None = None
) -> Response:
    token = secrets.token_urlsafe(24)
    request.state.login_csrf = token
    language = pick_language(lang or request.cookies.get("qorgau_console_lang"))
    response = d.pages.render(
        request,
        "login.html",
        {"error": error},
        status_code=401 if error else 200,
        language=language,
    )
    set_cookie(response, LOGIN_CSRF, token, secure=d.settings.cookie_secure, max_age=900)
    return response


@router.get("/login")
async def login_form(request: Request, d: D, session: Session, lang: str | None = None) -> Response:
    if session:
        return _home(session)
    return _login_page(request, d, lang=lang)


@router.post("/login")
async def login_submit(
    request: Request,
    d: D,
    username: Annotated[str, Form(max_length=120)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF, "")
    if not expected or not hmac.compare_digest(expected, csrf):
        return _login_page(request, d, error="expired")
    result = await login.log_in(
        d.pool, username, password, client_address(request), datetime.now(UTC), d.login_policy
    )
    if isinstance(result, login.Refused):
        return _login_page(request, d, error=result.reason)
    response = _home(result)
    set_cookie(
        response,
        COOKIE,
        result.token,
        secure=d.settings.cookie_secure,
        max_age=d.settings.session_max_s,
    )
    response.delete_cookie(LOGIN_CSRF, path="/")
    return response


@router.post("/logout")
async def logout(
    request: Request, d: D, session: Session, csrf: Annotated[str, Form()] = ""
) -> Response:
    if session is not None:
        if not hmac.compare_digest(csrf, session.csrf):
            raise BadCsrf
        await login.log_out(d.pool, session, client_address(request), datetime.now(UTC))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/language")
async def language(
    request: Request,
    d: D,
    session: Session,
    lang: Annotated[str, Form()] = "ru",
    csrf: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "/",
) -> Response:
    """Remembered on the account; before login, in a cookie."""
    chosen = pick_language(lang)
    target = back if back.startswith("/") and not back.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if session is not None:
        if not hmac.compare_digest(csrf, session.csrf):
            raise BadCsrf
        await users.set_language(d.pool, session.user.id, chosen)
    response.set_cookie(
        "qorgau_console_lang",
        chosen,
        max_age=365 * 86400,
        samesite="strict",
        httponly=True,
        secure=d.settings.cookie_secure,
    )
    return response
