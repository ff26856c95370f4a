"""Composition root for routing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from qorgau_common.http import service_app
from qorgau_common.runtime import ServiceRuntime

from .api import router
from .config import RoutingSettings
from .escalator import run_escalator
from .handlers import MIGRATIONS, PUBLISHED, ROUTES, SERVICE, RoutingDeps

DESCRIPTION = """\
Duty supervisors manage the roster (officers, shifts, status), watch the board of open,
unacknowledged and escalated incidents, reassign cases and record their outcomes.
Every endpoint except the probes and metrics needs `Authorization: Bearer <token>` of a
supervisor or admin (`python -m routing token create`).
"""


def create_app(settings: RoutingSettings) -> FastAPI:
    policy = settings.policy()
    runtime = ServiceRuntime(
        settings,
        service=SERVICE,
        migrations=MIGRATIONS,
        routes=ROUTES,
        deps=lambda rt: RoutingDeps(rt.pool, policy),
        published=PUBLISHED,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        escalator = asyncio.create_task(
            run_escalator(runtime.pool, policy, settings.escalation_interval_s)
        )
        try:
            yield
        finally:
            escalator.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await escalator
            await runtime.stop()

    app = service_app(runtime, "Qorgau routing", description=DESCRIPTION, lifespan=lifespan)
    app.state.policy = policy
    app.include_router(router)
    return app
