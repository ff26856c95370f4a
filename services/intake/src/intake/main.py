"""Composition root for intake: settings → keys, runtime (pool, broker, relay), app, lifespan."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
from fastapi import FastAPI
from qorgau_common.http import service_app
from qorgau_common.lag import still_catching_up
from qorgau_common.periodic import periodically
from qorgau_common.runtime import ServiceRuntime
from qorgau_contracts import INCIDENT_ASSIGNED, INCIDENT_REPORTED

from .config import IntakeSettings
from .consumers import MIGRATIONS, PUBLISHED, ROUTES, SERVICE
from .domain.crypto import FieldCipher, parse_keys
from .domain.linking import parse_link_key
from .http import gazetteer, incidents, reports
from .http.deps import IntakeDeps
from .http.proofs import SignatureError
from .http.webhooks import on_signature_error, webhooks
from .usecases.reconcile import reconcile

DESCRIPTION = """\
Call-centre operators submit 102 and 111 calls here, and follow each incident's timeline.
Every endpoint except the probes, metrics and the social-media webhooks needs
`Authorization: Bearer <token>` (create one with `python -m intake token create`); the
webhooks are verified by the platforms' own secret token or signature. Errors are RFC 9457
`application/problem+json` and name the field at fault; they never echo what was sent.
"""


def intake_deps(settings: IntakeSettings) -> IntakeDeps:
    """Fails at start, not at the first report, when the keys are missing or malformed."""
    return IntakeDeps(
        cipher=FieldCipher(parse_keys(settings.encryption_keys), settings.encryption_active_key),
        link_key=parse_link_key(settings.link_key),
        telegram_secret_token=settings.telegram_secret_token,
        meta_app_secret=settings.meta_app_secret,
        meta_verify_token=settings.meta_verify_token,
        follow_up_window=timedelta(seconds=settings.follow_up_window_s),
    )


def create_app(settings: IntakeSettings) -> FastAPI:
    """The service; its lifespan starts the runtime (pool, broker, relay) and reconciliation."""
    deps = intake_deps(settings)
    runtime: ServiceRuntime[asyncpg.Pool] = ServiceRuntime(
        settings,
        service=SERVICE,
        migrations=MIGRATIONS,
        routes=ROUTES,
        deps=lambda rt: rt.pool,
        published=PUBLISHED,
        # Reports are accepted through a broker outage (the outbox keeps them), so intake's
        # readiness needs PostgreSQL only; broker health is its own metric and alert.
        ready_needs_broker=False,
        # The broker lost its log: every unrouted incident is said again now, not in 60 s.
        after_log_lost=lambda: reconcile(runtime.pool, 0),
    )

    async def reconcile_round() -> int:
        # While routing works through its queue, its answer is late, not lost; so it is
        # while intake itself works through routing's answers (a drain: routing answers
        # faster than intake records them, and the answered incidents still look unrouted).
        queues = [("routing", INCIDENT_REPORTED), (settings.consumer_group, INCIDENT_ASSIGNED)]
        if await still_catching_up(settings.kafka_bootstrap_servers, "intake", *queues):
            return 0
        return await reconcile(runtime.pool, settings.reconcile_after_s)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            async with periodically(
                "intake-reconcile", settings.reconcile_interval_s, reconcile_round
            ):
                yield
        finally:
            await runtime.stop()

    app = service_app(runtime, "Qorgau intake", description=DESCRIPTION, lifespan=lifespan)
    app.state.deps = deps
    app.add_exception_handler(SignatureError, on_signature_error)
    app.include_router(reports.router)
    app.include_router(gazetteer.router)
    app.include_router(incidents.router)
    app.include_router(webhooks)
    return app
