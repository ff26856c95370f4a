"""Composition root: settings, logging, pool, API clients, live feed, app, lifespan."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from qorgau_common.db import apply_migrations, create_pool

from .clients.intake import IntakeClient
from .clients.ports import IntakeApi, RosterApi, RoutingApi
from .clients.roster import RosterClient
from .clients.routing import RoutingClient
from .config import ConsoleSettings
from .db import MIGRATIONS, SCHEMA
from .http import (
    auth_pages,
    inspector_pages,
    live,
    operator_pages,
    probes,
    roster_pages,
    supervisor_pages,
)
from .http.deps import Deps
from .http.security import BadCsrf, LoginRequired, SecurityHeaders, WrongRole, csp
from .http.templating import Pages
from .usecases.live_feed import LiveFeed, running

SERVICE = "console"


def district_outlines() -> dict[str, Any]:
    path = resources.files("console").joinpath("static/districts.geojson")
    outlines: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return outlines


def _errors(app: FastAPI) -> None:
    def page(request: Request, name: str, status: int) -> Response:
        deps: Deps = request.app.state.deps
        return deps.pages.render(request, name, status_code=status)

    async def login_required(request: Request, _: Exception) -> Response:
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse("/login", status_code=303)

    async def wrong_role(request: Request, _: Exception) -> Response:
        return page(request, "forbidden.html", 403)

    async def bad_csrf(request: Request, _: Exception) -> Response:
        return page(request, "expired.html", 403)

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(WrongRole, wrong_role)
    app.add_exception_handler(BadCsrf, bad_csrf)


def create_app(
    settings: ConsoleSettings,
    *,
    intake: IntakeApi | None = None,
    routing: RoutingApi | None = None,
    roster: RosterApi | None = None,
) -> FastAPI:
    """`intake`/`routing`/`roster` given (fakes in tests) replace the HTTP clients."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await create_pool(settings.database_url, min_size=1, max_size=10)
        async with pool.acquire() as conn:
            await apply_migrations(conn, SCHEMA, MIGRATIONS)
        timeout = httpx.Timeout(settings.api_timeout_s)
        async with (
            httpx.AsyncClient(base_url=settings.intake_url, timeout=timeout) as intake_http,
            httpx.AsyncClient(base_url=settings.routing_url, timeout=timeout) as routing_http,
        ):
            intake_api = intake or IntakeClient(
                intake_http, settings.intake_operator_token, settings.intake_personal_token
            )
            routing_api = routing or RoutingClient(routing_http, settings.routing_token)
            feed = LiveFeed(intake_api, routing_api, settings.poll_interval_s)
            roster_api = roster or RosterClient(routing_http, settings.routing_token)
            app.state.deps = Deps(
                settings,
                pool,
                intake_api,
                routing_api,
                feed,
                pages,
                district_outlines(),
                roster_api,
            )
            app.state.feed = feed
            try:
                async with running(feed):
                    yield
            finally:
                await feed.close()
                await pool.close()

    pages = Pages(settings.tile_url)
    app = FastAPI(
        title="Qorgau console",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.add_middleware(SecurityHeaders, policy=csp(settings.tile_url))
    # Outermost: pages, fragments and static files compressed; the SSE stream never
    # (a buffered event would arrive late), which Starlette excludes by its content type.
    app.add_middleware(
        GZipMiddleware, minimum_size=800, exclude_content_types=("text/event-stream",)
    )
    _errors(app)
    static = resources.files("console").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for module in (
        probes,
        auth_pages,
        live,
        operator_pages,
        supervisor_pages,
        roster_pages,
        inspector_pages,
    ):
        app.include_router(module.router)
    return app


class _Server(uvicorn.Server):
    """Ends the live streams on SIGTERM, so the graceful stop does not wait for browsers."""

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self._app = app
        self._loop: asyncio.AbstractEventLoop | None = None

    async def serve(self, sockets: Any = None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().serve(sockets)

    def handle_exit(self, sig: int, frame: Any) -> None:
        feed: LiveFeed | None = getattr(self._app.state, "feed", None)
        if feed is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(lambda: asyncio.ensure_future(feed.close()))
        super().handle_exit(sig, frame)


def serve(app: FastAPI, settings: ConsoleSettings) -> None:
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )
    asyncio.run(_Server(config, app).serve())
