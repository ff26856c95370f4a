"""Composition root for routing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from qorgau_common.http import add_operational_routes
from qorgau_common.runtime import ServiceRuntime

from .config import RoutingSettings
from .handlers import MIGRATIONS, SERVICE, register


def create_app(settings: RoutingSettings) -> FastAPI:
    runtime = ServiceRuntime(settings, service=SERVICE, migrations=MIGRATIONS, register=register)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title="Qorgau routing", version="0.1.0", lifespan=lifespan)
    app.state.runtime = runtime
    add_operational_routes(app, runtime)
    return app
