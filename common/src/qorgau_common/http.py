"""HTTP surface shared by every service: the app, probes, metrics, serving."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .guards import BodyGuard
from .problems import document_problems, install_problem_handlers
from .runtime import ServiceRuntime
from .settings import ServiceSettings


def add_operational_routes(app: FastAPI, runtime: ServiceRuntime[Any]) -> None:
    @app.get("/health/live", tags=["operations"], summary="Liveness probe")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/health/ready",
        tags=["operations"],
        summary="Readiness: PostgreSQL, and Kafka where the service needs it",
        responses={503: {"description": "Not ready; `checks` says what is missing."}},
    )
    async def ready() -> JSONResponse:
        ok, checks = await runtime.ready()
        return JSONResponse(
            {"status": "ready" if ok else "not ready", "checks": checks},
            status_code=200 if ok else 503,
        )

    @app.get(
        "/metrics",
        tags=["operations"],
        summary="Prometheus metrics",
        response_class=PlainTextResponse,
    )
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class _ServiceApp(FastAPI):
    """Its OpenAPI document also lists the problems the chassis answers on each route."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            document_problems(super().openapi())
        return super().openapi()


Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def service_app(
    runtime: ServiceRuntime[Any],
    title: str,
    *,
    description: str = "",
    lifespan: Lifespan | None = None,
) -> FastAPI:
    """A service's FastAPI app: runtime started in the lifespan, probes and metrics routed."""

    @asynccontextmanager
    async def run_runtime(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = _ServiceApp(
        title=title, version="0.1.0", description=description, lifespan=lifespan or run_runtime
    )
    app.state.runtime = runtime
    FastAPIInstrumentor.instrument_app(app, excluded_urls="health/,metrics")
    install_problem_handlers(app)
    add_operational_routes(app, runtime)
    app.add_middleware(BodyGuard, max_bytes=runtime.settings.max_body_bytes)
    return app


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run until SIGINT/SIGTERM; uvicorn then runs the lifespan shutdown (graceful stop)."""
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=20,
        # Keep idle connections longer than any client does (httpx: 5 s, browsers: ~60 s).
        # With uvicorn's default of 5 s, a busy event loop ran the close timer before it read
        # a request already waiting on the connection, and the client saw the connection
        # closed with no answer: a report it could not know was not taken.
        timeout_keep_alive=75,
        backlog=2048,
    )
    asyncio.run(uvicorn.Server(config).serve())
