"""Composition root for intake."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
from fastapi import FastAPI
from qorgau_common.http import service_app
from qorgau_common.runtime import ServiceRuntime

from .api import IntakeDeps, router
from .config import IntakeSettings
from .crypto import FieldCipher, parse_keys
from .handlers import MIGRATIONS, PUBLISHED, ROUTES, SERVICE
from .linking import parse_link_key
from .reconcile import run_reconciler
from .webhooks import SignatureError
from .webhooks_api import on_signature_error, webhooks

DESCRIPTION = """\
Call-centre operators submit 102 and 111 calls here, and follow each incident's timeline.
Every endpoint except the probes, metrics and the social-media webhooks needs
`Authorization: Bearer <token>` (create one with `python -m intake token create`); the
webhooks are verified by the platforms' own secret token or signature. Errors are RFC 9457
`application/problem+json` and name the field at fault; they never echo what was sent.
"""


def create_app(settings: IntakeSettings) -> FastAPI:
    # Fail at start, not at the first report, when the keys are missing or malformed.
    cipher = FieldCipher(parse_keys(settings.encryption_keys), settings.encryption_active_key)
    link_key = parse_link_key(settings.link_key)
    runtime: ServiceRuntime[asyncpg.Pool] = ServiceRuntime(
        settings,
        service=SERVICE,
        migrations=MIGRATIONS,
        routes=ROUTES,
        deps=lambda rt: rt.pool,
        published=PUBLISHED,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        reconciler = asyncio.create_task(
            run_reconciler(runtime.pool, settings.reconcile_after_s, settings.reconcile_interval_s),
            name="intake-reconcile",
        )
        try:
            yield
        finally:
            reconciler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reconciler
            await runtime.stop()

    app = service_app(runtime, "Qorgau intake", description=DESCRIPTION, lifespan=lifespan)
    app.state.deps = IntakeDeps(
        cipher=cipher,
        link_key=link_key,
        telegram_secret_token=settings.telegram_secret_token,
        meta_app_secret=settings.meta_app_secret,
        meta_verify_token=settings.meta_verify_token,
        follow_up_window=timedelta(seconds=settings.follow_up_window_s),
    )
    app.add_exception_handler(SignatureError, on_signature_error)
    app.include_router(router)
    app.include_router(webhooks)
    return app
