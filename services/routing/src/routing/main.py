"""Composition root for routing: settings → runtime (pool, consumer, relay) → app and escalator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from qorgau_common.http import service_app
from qorgau_common.lag import still_catching_up
from qorgau_common.periodic import periodically
from qorgau_common.runtime import ServiceRuntime
from qorgau_contracts import INCIDENT_ASSIGNED

from .config import RoutingSettings
from .consumers import MIGRATIONS, PUBLISHED, ROUTES, SERVICE
from .deps import RoutingDeps
from .http import router
from .usecases.escalate import escalate_all_due
from .usecases.gauges import refresh_gauges
from .usecases.reconcile import redeliver_unanswered

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
        # The broker lost its log: every unanswered assignment is said again now.
        after_log_lost=lambda: redeliver_unanswered(runtime.pool, 0),
    )

    async def escalation_round() -> None:
        """Escalate whatever is overdue, then refresh the load gauges."""
        await escalate_all_due(runtime.pool, policy)
        await refresh_gauges(runtime.pool)

    async def reconcile_round() -> int:
        """Say again every assignment notify has not answered in time (unless notify is still
        working through its queue: then its answer is late, not lost)."""
        bootstrap = settings.kafka_bootstrap_servers
        if await still_catching_up(bootstrap, "routing", ("notify", INCIDENT_ASSIGNED)):
            return 0
        return await redeliver_unanswered(runtime.pool, settings.reconcile_after_s)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            async with (
                periodically("routing-escalator", settings.escalation_interval_s, escalation_round),
                periodically("routing-reconcile", settings.reconcile_interval_s, reconcile_round),
            ):
                yield
        finally:
            await runtime.stop()

    app = service_app(runtime, "Qorgau routing", description=DESCRIPTION, lifespan=lifespan)
    app.include_router(router)
    return app
